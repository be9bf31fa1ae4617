/**
 * The rootless hook's private-instance registration against the real kernel
 * (≥ 6.7), without Podman: ten processes in one throwaway user + mount
 * namespace of an unprivileged user (uid 65534, `unshare -Urm`, the shape of
 * rootless Podman's namespace) run ensurePrivateRegistration at once. Exactly
 * one mounts binfmt_misc, all succeed, a file with the registered magic then
 * executes through the registered interpreter inside the namespace only, and
 * the host's binfmt_misc never gets the entry. Nothing machine-global changes
 * (the namespace dies with the command), so no binfmt lock is taken — and so
 * the host's table, which teammates' locked tests may change meanwhile, is
 * checked only for our entry (rootless-podman.test.ts, under the lock, checks
 * it byte for byte).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { hasPerUsernsBinfmt, parseKernelRelease } from '../../../src/emulator/host/kernel-version.js';
import { formatInstallState, type InstallState } from '../../../src/emulator/binfmt/install-state.js';
import { integration, isRoot, onPath, fileExists } from '../../helpers/integration.js';
import { readableCheckout } from '../../helpers/readable-checkout.js';

const BINFMT = '/proc/sys/fs/binfmt_misc';
const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];
const req = integration(
  isRoot(),
  onPath('setpriv'),
  onPath('unshare'),
  fileExists('/usr/bin/flock'),
  { what: 'Linux ≥ 6.7 (per-user-namespace binfmt_misc)', ok: hasPerUsernsBinfmt(parseKernelRelease(release())) },
);

/** Host entries whose registration mentions this test's marker. */
function hostEntriesWith(marker: string): string[] {
  return readdirSync(BINFMT).filter((n) => {
    if (n === 'register' || n === 'status') return false;
    try {
      return n.includes(marker) || readFileSync(join(BINFMT, n), 'utf8').includes(marker);
    } catch {
      return false;
    }
  });
}

/** A temporary directory uid 65534 can use, and the compiled module it can import. */
function workDir(t: { after(fn: () => void): void }): { dir: string; mod: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-private-binfmt-'));
  chmodSync(dir, 0o777);
  const checkout = readableCheckout((p) => spawnSync('setpriv', [...NOBODY, 'test', '-r', p]).status === 0);
  t.after(() => {
    checkout.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  const mod = pathToFileURL(join(checkout.root, 'dist', 'src', 'runtime-hook', 'hook', 'private-binfmt.js')).href;
  return { dir, mod };
}

test('ten concurrent hooks in one unprivileged user namespace: one mount, one entry, exec works there only', req, (t) => {
  const { dir, mod } = workDir(t);
  const name = `fexpod-it-${process.pid}`;
  // A magic nothing real has; /usr/bin/true as the interpreter (F opens it now).
  const registration = `:${name}:M::FXPDTEST::/usr/bin/true:F`;
  const state: InstallState = {
    version: 1,
    registrations: [{ guest: 'aarch64', emulator: 'qemu-user-static', entryName: name, registration, interpreter: '/usr/bin/true' }],
    disabled: [],
    persisted: [],
  };
  writeFileSync(join(dir, 'state.json'), formatInstallState(state));
  writeFileSync(join(dir, 'probe.fx'), 'FXPDTEST this is not a program\n', { mode: 0o755 });
  writeFileSync(
    join(dir, 'runner.mjs'),
    `import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { ensurePrivateRegistration, hostPrivateBinfmt } from ${JSON.stringify(mod)};
const state = JSON.parse(readFileSync(${JSON.stringify(join(dir, 'state.json'))}, 'utf8'));
const r = ensurePrivateRegistration(state.registrations[0], state, hostPrivateBinfmt(${JSON.stringify(join(dir, 'private-binfmt.lock'))}, release()));
process.stdout.write('RESULT ' + JSON.stringify(r) + '\\n');
`,
  );
  const script = `
for i in 1 2 3 4 5 6 7 8 9 10; do "$1" "$2/runner.mjs" & done; wait
echo "MOUNTS $(grep -c ' ${BINFMT} ' /proc/self/mountinfo)"
"$2/probe.fx"; echo "EXEC $?"
echo "ENTRY $(head -n 1 ${BINFMT}/${name})"
`;
  const r = spawnSync('setpriv', [...NOBODY, 'unshare', '--user', '--map-root-user', '--mount', '/bin/sh', '-c', script, 'sh', process.execPath, dir], { encoding: 'utf8', timeout: 120_000, cwd: dir });
  assert.equal(r.status, 0, r.stderr);
  const results = r.stdout.split('\n').filter((l) => l.startsWith('RESULT ')).map((l) => JSON.parse(l.slice(7)) as { result: { ok: boolean; reason?: string }; created: boolean });
  assert.equal(results.length, 10, r.stdout + r.stderr);
  assert.deepEqual(results.filter((x) => !x.result.ok), [], r.stdout);
  assert.equal(results.filter((x) => x.created).length, 1, 'exactly one hook made the instance');
  const hostMounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(` ${BINFMT} `)).length;
  assert.match(r.stdout, new RegExp(`^MOUNTS ${hostMounts + 1}$`, 'm'), 'one mount on top of what the host has');
  assert.match(r.stdout, /^EXEC 0$/m, 'the magic file ran through the private entry');
  assert.match(r.stdout, /^ENTRY enabled$/m);
  // Outside that namespace nothing changed: the host has no such entry and the file does not run.
  assert.deepEqual(hostEntriesWith(name), []);
  assert.deepEqual(hostEntriesWith('FXPDTEST'.split('').map((c) => c.charCodeAt(0).toString(16)).join('')), []);
  // (The kernel refuses it with ENOEXEC; execvp then hands it to sh, which fails on the text.)
  const outside = spawnSync('/bin/sh', ['-c', '"$0"', join(dir, 'probe.fx')], { encoding: 'utf8' });
  assert.notEqual(outside.status, 0, 'the host has no entry for the magic');
});

test('as uid 65534 without a user namespace: the host instance is not ours (so the hook would mount rather than write it)', req, (t) => {
  const { dir, mod } = workDir(t);
  const code = `const { hostPrivateBinfmt } = await import(${JSON.stringify(mod)});
const d = hostPrivateBinfmt(${JSON.stringify(join(dir, 'l'))}, 'x');
process.stdout.write(JSON.stringify({ own: d.ownInstance(), map: d.uidMap() }));`;
  const r = spawnSync('setpriv', [...NOBODY, process.execPath, '--input-type=module', '-e', code], { encoding: 'utf8', cwd: dir });
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { own: boolean; map: string };
  assert.equal(doc.own, false);
  assert.match(doc.map, /^\s*0\s+0\s+4294967295\s*$/);
});
