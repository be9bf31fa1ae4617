/**
 * The dispatcher's host side: binfmt_misc (flags PF) starts it for every x86
 * program on a host whose pages are not 4 KiB, with [<path>, <argv0>, <args…>].
 * It reads the few host facts the route needs, asks the shared decision
 * (chooseEmulator + muvmBlocker), finds the RootFS images, and runs
 *
 *   muvm -i [-t] -f <rootfs> [-f <overlay>…] -e NAME… -- <node> <this entry> --fexpod-guest-step <request>
 *
 * then forwards signals and exits exactly as the program did. Every refusal is
 * one clear line with its fix, exit status 126 (found but cannot run).
 */
import { readTextOrUndefined } from '../../common/read-text.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { constants as osConstants, endianness, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Arch } from '../../common/arch.js';
import { errorMessage } from '../../common/errors.js';
import { nodeDiscoveryDeps } from '../discovery-deps.js';
import { CATALOGUE, discoverEmulators } from '../emulator-catalogue.js';
import { type ChoiceHost, chooseEmulator } from '../emulator-choice.js';
import { type HostOverride, kvmFact, loadHostOverride, overrideNotice } from '../host/host-override.js';
import { pageSizeFromAuxv } from '../host/page-size.js';
import {
  GUEST_SIGNAL_FLAG, GUEST_STEP_FLAG, REQUEST_VERSION, type ExitStatus, type GuestRequest,
  encodeRequest, muvmArgv, parseExitStatus, passedEnvNames, programPath,
} from './dispatch-request.js';
import { type ImageLookup, microVmImages } from './rootfs-images.js';

export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR1', 'SIGUSR2'];
export const CANNOT_RUN = 126;

const say = (line: string) => process.stderr.write(`fexpod-dispatch: ${line}\n`);


export const nodeImageLookup: ImageLookup = {
  isFile: (p) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  },
  isDir: (p) => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return false;
    }
  },
  readText: readTextOrUndefined,
  list: (d) => {
    try {
      return readdirSync(d);
    } catch {
      return undefined;
    }
  },
};

function canReadWrite(path: string): boolean {
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The facts the dispatcher's decision needs, with the test-only override applied. */
export function dispatchHost(o: HostOverride | undefined): ChoiceHost {
  const arch = o?.arch ? Arch.of(o.arch) : Arch.fromNode(process.arch);
  const auxv = (() => {
    try {
      return new Uint8Array(readFileSync('/proc/self/auxv'));
    } catch {
      return undefined;
    }
  })();
  // Unknown page size: the dispatcher is only registered on non-4k hosts, so keep to the microVM.
  const pageSize = o?.pageSize ?? (auxv && pageSizeFromAuxv(auxv, { bits: arch.bits, littleEndian: endianness() === 'LE' })) ?? 0;
  const uid = o?.uid ?? process.getuid?.() ?? 0;
  const euid = o?.uid ?? process.geteuid?.() ?? 0;
  const kvm = o?.kvm ? kvmFact(o.kvm) : { present: existsSync('/dev/kvm'), accessible: canReadWrite('/dev/kvm') };
  return { arch, pageSize, uid, euid, kvm, crunFeatures: undefined };
}

function refuse(program: string, reason: string, fix: string | undefined): never {
  say(`cannot run ${program}: ${reason}`);
  if (fix) process.stderr.write(`  fix: ${fix}\n`);
  process.exit(CANNOT_RUN);
}

/** Ends this process the way the program ended: the same exit code, or the same signal. */
export function exitLike(status: ExitStatus): never {
  if ('code' in status) process.exit(status.code);
  for (const s of FORWARDED_SIGNALS) process.removeAllListeners(s);
  // Node keeps SIGUSR1 for its inspector, so that one cannot be re-raised.
  if (status.signal !== 'SIGUSR1') process.kill(process.pid, status.signal);
  // A signal whose default action does not end the process (or a blocked one): the shell convention.
  const num = (osConstants.signals as Record<string, number | undefined>)[status.signal] ?? 0;
  process.exit(128 + num);
}

export async function runHost(kernelArgv: readonly string[], entry: string): Promise<void> {
  const [binary, argv0, ...args] = kernelArgv;
  if (binary === undefined || argv0 === undefined) refuse('(nothing)', 'started without the binfmt_misc P-flag arguments <path> <argv0>', 'this program is a binfmt_misc interpreter; run the x86 program itself');
  let override: HostOverride | undefined;
  try {
    override = loadHostOverride(process.env, readTextOrUndefined);
  } catch (err) {
    refuse(binary, errorMessage(err), undefined);
  }
  if (override) say(overrideNotice(override).replace(/^fexpod: /, ''));
  const host = dispatchHost(override);
  const wanted = CATALOGUE.filter((e) => e.id === 'muvm' || e.id === 'fex');
  const found = await discoverEmulators(host.arch, nodeDiscoveryDeps(process.env['PATH']), wanted);
  const guest = Arch.of('x86_64');
  const choice = chooseEmulator(found, guest, host, { purpose: 'process', precedence: ['muvm', 'fex'] });

  if (choice.chosen?.id === 'fex') {
    // A 4 KiB host: FEX runs directly (the dispatcher should not be registered here at all).
    say(`host pages are 4 KiB: running FEX directly; "sudo fexpod binfmt install" registers FEX itself`);
    await runChild(choice.chosen.path, [programPath(binary), ...args], undefined);
    return;
  }
  if (choice.chosen?.id !== 'muvm') {
    const blocked = choice.rejected.find((r) => r.id === 'muvm' && r.reason !== 'not needed: host pages are 4 KiB') ?? choice.rejected[0];
    refuse(binary, blocked ? `${blocked.reason === 'not installed' ? 'muvm is not installed' : blocked.reason}` : 'no route', blocked?.fix);
  }
  const images = microVmImages(process.env, nodeImageLookup);
  for (const n of images.notes) say(n);
  if (images.blocker) refuse(binary, images.blocker.reason, images.blocker.fix);

  const statusDir = mkdtempSync(join(tmpdir(), 'fexpod-dispatch-'));
  const req: GuestRequest = {
    v: REQUEST_VERSION,
    cwd: process.cwd(),
    argv0,
    program: programPath(binary),
    args,
    env: passedEnvNames(process.env),
    statusDir,
  };
  const tty = process.stdin.isTTY === true;
  const argv = muvmArgv({
    muvm: choice.chosen.path,
    images: images.images,
    envNames: req.env,
    interactive: true,
    tty,
    command: [process.execPath, entry, GUEST_STEP_FLAG, encodeRequest(req)],
  });
  await runChild(argv[0] ?? choice.chosen.path, argv.slice(1), { statusDir, muvm: choice.chosen.path, entry, tty, program: binary });
}

interface MicroVmRun {
  readonly statusDir: string;
  readonly muvm: string;
  readonly entry: string;
  readonly tty: boolean;
  readonly program: string;
}

/**
 * Runs the child with our stdio, forwards signals, and exits like the program.
 * Without a tty muvm gets its own session, so a terminal's Ctrl-C reaches only
 * us and is forwarded once; with one, muvm puts the terminal in raw mode and
 * Ctrl-C travels to the guest's pty as a keystroke.
 */
function runChild(file: string, args: readonly string[], vm: MicroVmRun | undefined): Promise<void> {
  return new Promise(() => {
    let child: ChildProcess;
    const tty = process.stdin.isTTY === true;
    try {
      child = spawn(file, args, { stdio: 'inherit', detached: !tty, env: process.env });
    } catch (err) {
      refuse(vm?.program ?? file, `cannot start ${file}: ${errorMessage(err)}`, undefined);
    }
    let pending: NodeJS.Signals | undefined;
    for (const sig of FORWARDED_SIGNALS) {
      process.on(sig, () => {
        // FEX run directly in our process group already got a terminal's Ctrl-C or Ctrl-\.
        if (!vm && tty && (sig === 'SIGINT' || sig === 'SIGQUIT')) return;
        if (vm && existsSync(join(vm.statusDir, 'pid'))) {
          // The program runs in the VM: a second muvm launch delivers the signal there.
          const blob = encodeRequest({ v: REQUEST_VERSION, statusDir: vm.statusDir, signal: sig });
          spawn(vm.muvm, ['--', process.execPath, vm.entry, GUEST_SIGNAL_FLAG, blob], { stdio: 'ignore', env: process.env }).on('error', () => undefined);
        } else {
          // Not started yet (or FEX directly): the child is ours to signal.
          pending = sig;
          child.kill(sig);
        }
      });
    }
    child.on('error', (err) => {
      if (vm) rmSync(vm.statusDir, { recursive: true, force: true });
      refuse(vm?.program ?? file, `cannot start ${file}: ${errorMessage(err)}`, undefined);
    });
    child.on('exit', (code, signal) => {
      const recorded = vm ? parseExitStatus(readTextOrUndefined(join(vm.statusDir, 'status'))) : undefined;
      if (vm) rmSync(vm.statusDir, { recursive: true, force: true });
      if (recorded) exitLike(recorded);
      if (pending) exitLike({ signal: pending });
      if (vm && (code !== 0 || signal)) say(`muvm ended (${signal ?? `exit status ${code}`}) before ${vm.program} reported how it ended`);
      exitLike(signal ? { signal } : { code: code ?? CANNOT_RUN });
    });
  });
}
