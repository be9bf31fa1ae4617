/**
 * fexpod lock DEF.toml: the resolve step of the build (steps/resolve.ts) on its own, writing the
 * lock file; with --fetch also the fetch step, every locked package verified into the cache.
 */
import { readFile } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { type Command, type OptionTable, formatOptions, parseOptions, printJson } from '../common/command.js';
import { UsageError } from '../common/errors.js';
import { streamLogger } from '../common/log.js';
import { defaultLockPath, type PackagesContext } from './build-context.js';
import { nodePackageRepos } from './build-deps.js';
import { applyRepoOverrides, loadDefinition, parseRepoOverride } from './definition.js';
import { defaultCacheDir } from './fetch/cache.js';
import { resolve } from './steps/resolve.js';

const OPTIONS = {
  output: { type: 'string', short: 'o', value: 'FILE', help: 'where to write the lock (default: DEF.lock.json next to DEF.toml)' },
  repo: {
    type: 'string',
    multiple: true,
    value: 'ID=URL',
    help: 'point repository ID at another baseurl (repeatable);\nID=metalink:URL and ID=mirrorlist:URL also work',
  },
  locked: {
    type: 'boolean',
    help: 'do not re-resolve: check the existing lock against the definition and\nthe repositories (names packages that have vanished)',
  },
  fetch: {
    type: 'boolean',
    help: 'also download every locked package into the cache and verify it\n(sha256, header digest, OpenPGP signature, payload digest)',
  },
  offline: { type: 'boolean', help: 'with --locked --fetch: use the cache only, no network' },
  'cache-dir': { type: 'string', value: 'DIR', help: 'download cache (default: $XDG_CACHE_HOME/fexpod, /var/cache/fexpod as root)' },
  jobs: { type: 'string', short: 'j', value: 'N', help: 'parallel downloads (default 4)' },
  json: { type: 'boolean', help: 'print one JSON summary on stdout; progress as JSON lines on stderr' },
  verbose: { type: 'boolean', short: 'v', help: 'more detail on stderr' },
} as const satisfies OptionTable;

const HELP = `Usage: fexpod lock DEF.toml [options]

Resolve an image definition against its repositories with libsolv (the solver behind dnf) and
write a lock file: the definition digest, each repository's repomd.xml digest, and every package
with its epoch, version, release, arch, sha256, size, location, repository and source RPM.

Options:
${formatOptions(OPTIONS, true)}

Examples:
  fexpod lock images/fedora-rootfs.toml
  fexpod lock images/fedora-rootfs.toml --repo fedora=http://127.0.0.1:8080/fedora/ --repo updates=http://127.0.0.1:8080/updates/
  fexpod lock images/fedora-rootfs.toml --locked --fetch          # CI: fail if the lock is stale
  fexpod lock images/fedora-rootfs.toml --locked --fetch --offline
  fexpod lock my-image.toml --json | jq .groups   # which @group gave which package

The definition format — packages and @groups, excludes, [vars] for DNF variables in URLs,
gpgcheck and repo_gpgcheck — is in images/README.md; what is verified at each step, in
docs/lock.md.

Exit codes: 0 ok, 2 bad definition or usage, 3 unresolvable / stale lock / vanished packages /
unknown group, 4 a package failed verification, 1 other errors.
`;

export const command: Command = {
  name: 'lock',
  summary: 'resolve an image definition against its repositories and write a lock file',
  help: HELP,
  options: OPTIONS,
  async run(args, ctx) {
    const { values, positionals } = parseOptions('lock', args, OPTIONS);
    if (positionals.length !== 1) throw new UsageError('lock: give exactly one definition file', 'e.g. fexpod lock images/fedora-rootfs.toml');
    if (values.offline && !(values.locked && values.fetch)) throw new UsageError('lock: --offline needs --locked --fetch (resolving needs repository metadata)');
    const jobs = values.jobs === undefined ? 4 : Number(values.jobs);
    if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) throw new UsageError('lock: --jobs must be a number from 1 to 64');
    const defPath = resolvePath(ctx.cwd, positionals[0]!);
    const log = streamLogger(ctx.stderr, values.verbose ? 'debug' : 'info');
    const definition = applyRepoOverrides(
      await loadDefinition(defPath, (p) => readFile(p, 'utf8')),
      (values.repo ?? []).map(parseRepoOverride),
    );
    const lockPath = values.output ? resolvePath(ctx.cwd, values.output) : defaultLockPath(defPath);
    const cacheDir = values['cache-dir'] ? resolvePath(ctx.cwd, values['cache-dir']) : defaultCacheDir(ctx.env, process.getuid?.());
    const mode = values.json ? 'json' : ctx.interactive ? 'tty' : 'lines';
    const packages: PackagesContext = {
      definition,
      options: { lockFile: lockPath, resolve: values.locked ? 'never' : 'always', offline: values.offline ?? false, jobs },
      deps: { log, repos: nodePackageRepos({ env: ctx.env, cacheDir, log, progress: { stream: ctx.stderr, mode, now: () => Date.now() } }) },
    };

    const resolved = await resolve(packages);
    const lock = resolved.lock;
    if (resolved.resolved) log.info(`${lockPath}: ${lock.packages.length} packages from ${lock.repos.map((r) => r.id).join(', ')}`);
    else log.info(`${lockPath}: up to date (${lock.packages.length} packages)`);

    let fetched = 0;
    if (values.fetch) {
      // Loaded only when fetching: openpgp is heavy and resolving does not need it.
      const { fetch } = await import('./steps/fetch.js');
      fetched = new Set(await fetch(resolved).fetched).size;
      log.info(`fetched and verified ${fetched} packages into ${cacheDir}`);
    }
    if (values.json) {
      printJson(ctx, {
        lock: lockPath,
        resolved: resolved.resolved,
        definition: lock.definition,
        repos: lock.repos.map((r) => ({ id: r.id, repomd: r.repomd })),
        packages: lock.packages.map((p) => ({ name: p.name, epoch: p.epoch, version: p.version, release: p.release, arch: p.arch, repo: p.repo, sha256: p.sha256 })),
        ...(lock.groups ? { groups: lock.groups } : {}),
        ...(values.fetch ? { fetched, cacheDir } : {}),
      });
    }
    return 0;
  },
};
