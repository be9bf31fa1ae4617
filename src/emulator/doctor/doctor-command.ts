/**
 * fexpod doctor: gather → judge → print. Gathering reads the host (and runs
 * only trusted host programs with --version, under a timeout); judging is the
 * pure buildDoctorReport; printing is text or one JSON document.
 */
import { fileURLToPath } from 'node:url';
import { readTextOrUndefined } from '../../common/read-text.js';
import type { CliContext, Command } from '../../common/command.js';
import { type OptionTable, formatOptions, parseOptions, printJson } from '../../common/command.js';
import { errorMessage } from '../../common/errors.js';
import { DEFAULT_STATE_DIR, STATE_FILE_NAME, parseInstallState } from '../binfmt/install-state.js';
import { discoverEmulators, type DiscoveryDeps } from '../emulator-catalogue.js';
import { nodeDiscoveryDeps } from '../discovery-deps.js';
import { buildDoctorReport, type DoctorInput, type InterpreterCheck } from './doctor-report.js';
import { formatDoctorReport } from './doctor-format.js';
import { applyHostOverride, gatherHostFacts, type HostDeps } from '../host/host-facts.js';
import { type HostOverride, loadHostOverride, overrideNotice } from '../host/host-override.js';
import { nodeHostDeps } from '../host/host-deps.js';
import { parseElf } from '../../common/elf.js';
import { gatherRootlessFacts } from '../rootless/rootless-facts.js';
import { guestInitCandidates } from '../microvm/guest-init.js';
import { gatherStagedCopies } from './staged-copies.js';
import { gatherFexFacts } from './fex-facts.js';

const OPTIONS = {
  json: {
    type: 'boolean',
    help: 'print one JSON document (hostArch, pageSize, kernel, binfmt,\nemulators, routes, conflicts, advice, healthy) on stdout',
  },
  'state-dir': { type: 'string', value: 'DIR', help: `fexpod's state directory (default ${DEFAULT_STATE_DIR})` },
} as const satisfies OptionTable;

const HELP = `Usage: fexpod doctor [--json] [--state-dir DIR]

Checks whether this host can run foreign-architecture (x86 on AArch64)
software and containers, and says what to do when it cannot:

  architecture, page size (AT_PAGESZ), kernel (per-userns binfmt_misc ≥ 6.7),
  binfmt_misc (mounted, enabled, writable, its entries and what they catch),
  /dev/kvm, crun (+LIBKRUN) and runc, podman and its OCI hooks directories,
  SELinux and the label of the staged emulator prefix, FEX's RootFS (and
  erofsfuse/squashfuse for an image), SVE's vector length, the fexpod-guest-init
  that krun containers would get (built, or packaged in libexec), the emulators found
  (FEX + FEXServer, box64, QEMU static/dynamic, muvm, crun's krun handler),
  which one serves each guest architecture and why the others were skipped,
  conflicting binfmt_misc entries, and a list of problems with their fixes.

Its "in short" line says how a foreign program and a foreign container run on
this host and why: FEX directly on 4 KiB pages; on 16 KiB (Apple Silicon) or
64 KiB pages muvm + FEX for programs and crun's krun handler + FEX for
containers, each in a 4 KiB microVM; box64 or QEMU otherwise.

Runs as any user. As an unprivileged user it explains what needs root, and
whether the rootless route is open instead (kernel >= 6.7, user namespaces,
subordinate ids, newuidmap, a private binfmt_misc instance, rootless podman)
and whether "fexpod hook install --user" set it up (docs/rootless.md).

Options:
${formatOptions(OPTIONS, true)}

Exit status: 0 when foreign containers can work, 1 when a problem blocks them.

Examples:
  fexpod doctor
  sudo fexpod doctor --json | jq '.advice[] | select(.blocking)'
`;

const VERSION_TIMEOUT_MS = 3000;


/** First line of a trusted host emulator's --version output. */
async function versionOf(deps: HostDeps, path: string): Promise<string | undefined> {
  const r = await deps.run(path, ['--version'], VERSION_TIMEOUT_MS);
  if (!r || r.exitCode !== 0) return undefined;
  return r.stdout.split('\n').map((l) => l.trim()).find((l) => l.length > 0);
}

async function interpreterCheck(d: DiscoveryDeps, path: string): Promise<InterpreterCheck> {
  const head = await d.readHead(path, 16 * 1024);
  if (!head) return { exists: false, static: undefined };
  try {
    return { exists: true, static: parseElf(head, { dynamic: false }).interpreter === undefined };
  } catch {
    return { exists: true, static: undefined };
  }
}

/** The "stages" of an OCI hook JSON file ([] when it does not parse). */
function hookStages(text: string): string[] {
  try {
    const doc: unknown = JSON.parse(text);
    if (typeof doc !== 'object' || doc === null || !('stages' in doc) || !Array.isArray(doc.stages)) return [];
    return doc.stages.filter((x): x is string => typeof x === 'string');
  } catch {
    return [];
  }
}

export async function gatherDoctorInput(host: HostDeps, disc: DiscoveryDeps, stateDir: string, override?: HostOverride, distDir?: string): Promise<DoctorInput> {
  const facts = applyHostOverride(await gatherHostFacts(host), override);
  const emulators = await discoverEmulators(facts.arch, disc);
  const versions: Record<string, string> = {};
  for (const e of emulators) {
    if (e.id === 'krun' || versions[e.path] !== undefined) continue;
    // FEXInterpreter parses no options (it would look for a program named --version:
    // seen with FEX-2507.1 in the aarch64 lab); FEXServer answers with FEX's version.
    const asked = e.id === 'fex' ? e.helpers['FEXServer'] : e.path;
    const v = asked === undefined ? undefined : await versionOf(host, asked);
    if (v) versions[e.path] = v;
  }
  if (facts.runtimes.crun?.version) versions[facts.runtimes.crun.path] = `crun ${facts.runtimes.crun.version}`;
  const interpreters: Record<string, InterpreterCheck> = {};
  for (const e of facts.binfmt.entries) interpreters[e.interpreter] ??= await interpreterCheck(disc, e.interpreter);

  const prefixDir = `${stateDir.replace(/\/+$/, '')}/prefix`;
  const prefixExists = await host.exists(prefixDir);
  let prefixLabel: string | undefined;
  if (facts.selinux.enabled && prefixExists) {
    const r = await host.run('stat', ['-c', '%C', prefixDir], VERSION_TIMEOUT_MS);
    prefixLabel = r && r.exitCode === 0 ? r.stdout.trim() : undefined;
  }
  const stateFile = `${stateDir.replace(/\/+$/, '')}/${STATE_FILE_NAME}`;
  const text = await host.readText(stateFile);
  let installState: DoctorInput['installState'];
  const missingPrefixes: string[] = [];
  if (text !== undefined) {
    try {
      const state = parseInstallState(text, stateFile);
      installState = { state };
      for (const r of state.registrations) if (r.prefix && !(await host.exists(r.prefix))) missingPrefixes.push(r.prefix);
    } catch (err) {
      installState = { error: errorMessage(err) };
    }
  }
  const podmanHooks: { path: string; stages: string[] }[] = [];
  for (const dir of facts.podman?.hooks.dirs ?? []) {
    for (const name of ((await host.listDir(dir)) ?? []).filter((n) => n.endsWith('.json')).sort()) {
      const hookText = await host.readText(`${dir}/${name}`);
      if (hookText === undefined || !(name.includes('fexpod') || hookText.includes('fexpod'))) continue;
      podmanHooks.push({ path: `${dir}/${name}`, stages: hookStages(hookText) });
    }
  }
  const rootless = facts.uid === 0 ? undefined : await gatherRootlessFacts(host, { perUsernsBinfmt: facts.kernel.perUsernsBinfmt, podmanPresent: facts.podman !== undefined, podmanHooksDirs: facts.podman?.hooks.dirs ?? [], selinuxEnabled: facts.selinux.enabled });
  let guestInit: string | null | undefined;
  if (distDir !== undefined) {
    guestInit = null;
    for (const p of guestInitCandidates(distDir)) if (guestInit === null && (await host.exists(p))) guestInit = p;
  }
  const stagedCopies = [
    ...(await gatherStagedCopies(host, installState && 'state' in installState ? installState.state : undefined, emulators, guestInit)),
    ...(await gatherStagedCopies(host, rootless?.install.state, emulators, undefined, 'user')),
  ];
  const fex = await gatherFexFacts(host, disc);
  return { facts, emulators, versions, interpreters, stateDir, prefixLabel, prefixExists, installState, missingPrefixes, podmanHooks, ...(rootless ? { rootless } : {}), ...(guestInit !== undefined ? { guestInit } : {}), fex, stagedCopies };
}

export const command: Command = {
  name: 'doctor',
  summary: 'check this host: arch, page size, binfmt_misc, emulators, runtimes, podman',
  help: HELP,
  options: OPTIONS,
  async run(args, ctx: CliContext) {
    const { values } = parseOptions('doctor', args, OPTIONS, false);
    const stateDir = values['state-dir'] ?? DEFAULT_STATE_DIR;
    const override = loadHostOverride(ctx.env, readTextOrUndefined);
    if (override) ctx.stderr.write(`${overrideNotice(override)}\n`);
    // This installation's dist/ (dist/src/emulator/doctor/ → dist/), where guestInitCandidates starts.
    const dist = fileURLToPath(new URL('../../../', import.meta.url));
    const input = await gatherDoctorInput(nodeHostDeps(ctx.env), nodeDiscoveryDeps(ctx.env['PATH']), stateDir, override, dist);
    const report = buildDoctorReport(input);
    if (values.json) printJson(ctx, report);
    else ctx.stdout.write(formatDoctorReport(report));
    return report.healthy ? 0 : 1;
  },
};
