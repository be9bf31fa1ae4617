/**
 * The muvm dispatcher's entry (hosts whose pages are not 4 KiB). Three modes:
 *
 *   <path> <argv0> <args…>                 binfmt_misc (flags PF) started us for an x86 program
 *   --fexpod-guest-step <request>          inside the microVM: run the program (dispatch-guest.ts)
 *   --fexpod-guest-signal <request>        inside the microVM: deliver a forwarded signal
 *
 * It sits in the exec path of every x86 program started from the host, so it
 * is lean like the Podman hook: compiled a second time as CommonJS into
 * dist/hook/, node builtins and a few small modules only (a unit test checks).
 * `fexpod binfmt install` registers a two-line script that requires this file
 * (dispatcher-script.ts).
 */
import * as nodeModule from 'node:module';
import { errorMessage } from '../../common/errors.js';
import { GUEST_SIGNAL_FLAG, GUEST_STEP_FLAG } from './dispatch-request.js';

const USAGE = `fexpod-dispatch: the binfmt_misc interpreter fexpod registers for x86 programs on
hosts whose page size is not 4 KiB (Apple Silicon). It runs each program in a
4 KiB microVM with muvm and FEX, passing argv[0], arguments, working directory,
environment, stdin/stdout/stderr, signals and the exit status through.

Not meant to be run by hand: run the x86 program itself. See "fexpod doctor".
`;

// Node ≥ 22.1: cache compiled modules (per user, in the temp dir); older Node: nothing.
const enableCache: unknown = Reflect.get(nodeModule, 'enableCompileCache');
if (typeof enableCache === 'function') {
  try {
    enableCache.call(nodeModule);
  } catch {
    /* no cache: a slower start */
  }
}

async function main(argv: readonly string[], entry: string): Promise<void> {
  const [mode, blob] = argv;
  if (mode === GUEST_STEP_FLAG && blob !== undefined && argv.length === 2) {
    (await import('./dispatch-guest.js')).runGuestStep(blob);
    return;
  }
  if (mode === GUEST_SIGNAL_FLAG && blob !== undefined && argv.length === 2) {
    (await import('./dispatch-guest.js')).runGuestSignal(blob);
    return;
  }
  if (argv.length < 2) {
    process.stderr.write(USAGE);
    process.exit(argv[0] === '--help' || argv[0] === '-h' ? 0 : 2);
  }
  await (await import('./dispatch-host.js')).runHost(argv, entry);
}

main(process.argv.slice(2), process.argv[1] ?? '').catch((err: unknown) => {
  process.stderr.write(`fexpod-dispatch: ${errorMessage(err)}\n`);
  process.exit(126);
});
