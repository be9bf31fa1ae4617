/**
 * The dispatcher's guest step, run by muvm inside the 4 KiB microVM (whose
 * root is the host's /, so this same file is there):
 *
 *   <node> <entry> --fexpod-guest-step <request>
 *
 * It restores what muvm does not carry (dispatch-request.ts): the working
 * directory, the caller's environment, and argv[0] — by starting the program
 * through the guest's binfmt_misc, where muvm-guest registered FEX as
 * FEX-x86/FEX-x86_64 with POCF (muvm guest/fex.rs), so FEX hands the program
 * exactly the argv[0] given here. Without those entries it falls back to
 * `FEX <program> <args>` (then argv[0] is the path, as FEX sets it). It writes
 * the program's pid (for forwarded signals) and its exact exit status into the
 * request's status directory, which the host reads.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join, resolve } from 'node:path';
import { errorMessage } from '../../common/errors.js';
import { findProgram } from '../../common/find-program.js';
import { type ExitStatus, type GuestRequest, decodeGuestRequest, decodeSignalRequest, guestEnv } from './dispatch-request.js';

export const GUEST_BINFMT_DIR = '/proc/sys/fs/binfmt_misc';
/** The entries muvm-guest registers; FEX checks for the same names (FEXInterpreter.cpp QueryInterpreterInstalled). */
export const GUEST_FEX_ENTRIES: readonly string[] = ['FEX-x86_64', 'FEX-x86'];
const IGNORED: readonly NodeJS.Signals[] = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR1', 'SIGUSR2'];

const say = (line: string) => process.stderr.write(`fexpod-dispatch (microVM): ${line}\n`);

function signalNumber(name: string): number {
  return (constants.signals as Record<string, number | undefined>)[name] ?? 0;
}

function writeStatus(dir: string, status: ExitStatus): void {
  try {
    writeFileSync(join(dir, 'status.tmp'), JSON.stringify(status));
    renameSync(join(dir, 'status.tmp'), join(dir, 'status'));
  } catch (err) {
    say(`cannot record the exit status in ${dir}: ${errorMessage(err)}`);
  }
}

/** Our own status directory: a directory owned by us (mkdtemp made it 0700 on the host). */
function checkStatusDir(dir: string): void {
  const st = statSync(dir);
  if (!st.isDirectory() || st.uid !== process.getuid?.() || (st.mode & 0o077) !== 0) {
    throw new Error(`${dir} is not a private directory of this user`);
  }
}

function fail(req: GuestRequest | undefined, message: string, code: number): never {
  say(message);
  if (req) writeStatus(req.statusDir, { code });
  process.exit(code);
}

export function runGuestStep(blob: string): void {
  let req: GuestRequest;
  try {
    req = decodeGuestRequest(blob);
    checkStatusDir(req.statusDir);
  } catch (err) {
    fail(undefined, `bad request: ${errorMessage(err)}`, 126);
  }
  const env = guestEnv(req, process.env);
  try {
    process.chdir(req.cwd);
  } catch (err) {
    fail(req, `cannot enter ${req.cwd} inside the microVM: ${errorMessage(err)}`, 126);
  }
  let file = req.program;
  let args = [...req.args];
  let argv0 = req.argv0;
  if (!GUEST_FEX_ENTRIES.every((e) => existsSync(join(GUEST_BINFMT_DIR, e)))) {
    const fex = findProgram('FEX', env['PATH']) ?? findProgram('FEXInterpreter', env['PATH']);
    if (!fex) fail(req, `FEX is not registered with binfmt_misc in the microVM and not on PATH (${env['PATH'] ?? ''})`, 127);
    say(`FEX is not registered with binfmt_misc in the microVM; running ${fex} ${req.program} (argv[0] becomes the path)`);
    [file, args, argv0] = [fex, [resolve(req.program), ...req.args], fex];
  }
  for (const sig of IGNORED) process.on(sig, () => undefined); // the program shares our process group and gets them itself
  const child = spawn(file, args, { argv0, env, stdio: 'inherit' });
  child.on('spawn', () => {
    try {
      writeFileSync(join(req.statusDir, 'pid'), String(child.pid));
    } catch (err) {
      say(`cannot record the pid (signals will not be forwarded): ${errorMessage(err)}`);
    }
  });
  child.on('error', (err) => {
    const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 127 : 126;
    fail(req, `cannot run ${req.program}: ${errorMessage(err)}`, code);
  });
  child.on('exit', (code, signal) => {
    try {
      unlinkSync(join(req.statusDir, 'pid'));
    } catch {
      /* never written */
    }
    writeStatus(req.statusDir, signal ? { signal } : { code: code ?? 0 });
    process.exit(signal ? 128 + signalNumber(signal) : (code ?? 0));
  });
}

/** Delivers a signal the host dispatcher received to the program in the VM. */
export function runGuestSignal(blob: string): void {
  try {
    const r = decodeSignalRequest(blob);
    checkStatusDir(r.statusDir);
    const pid = Number(readFileSync(join(r.statusDir, 'pid'), 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 1) throw new Error('no program pid recorded');
    process.kill(pid, r.signal);
  } catch (err) {
    say(`cannot forward the signal: ${errorMessage(err)}`);
    process.exit(1);
  }
}
