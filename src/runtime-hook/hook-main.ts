#!/usr/bin/env node
/**
 * The hook's own entry point, kept lean on purpose: Podman starts it for every
 * container, so it imports only node builtins and the hook's small modules
 * (no zod, execa, dockerode or tar code, and not the CLI). A native container
 * is recognised with the few modules native-check.ts needs; everything for
 * foreign containers is loaded only when one shows up.
 *
 *   hook-main.js precreate     [--state FILE] [--log FILE] [--debug] [--private-binfmt]   config.json on stdin → config on stdout
 *   hook-main.js createRuntime [--state FILE] [--log FILE] [--debug]   OCI state on stdin
 *
 * --private-binfmt (written by `fexpod hook install --user`): rootless Podman;
 * the entry goes into the private binfmt_misc of Podman's user namespace.
 *
 * Exit status 0, except one case: a foreign container on a host whose page
 * size is not 4 KiB that nothing can run there. Then the hook prints why and
 * the fix on stderr (Podman shows only "exit status 3"; the message is also in
 * the log) and exits 3, so the container fails at create time instead of later
 * with ENOEXEC. Otherwise the hook never fails a container.
 */
import './hook/compile-cache.js';
import { readFileSync, writeSync } from 'node:fs';
import { Arch } from '../common/arch.js';
import { hostExecFs } from './hook/host-fs.js';
import { isNativeConfig } from './hook/native-check.js';

// The defaults of install-state.ts and hook-log.ts, repeated rather than imported so that the
// native path loads as few modules as possible (a unit test checks they agree).
const DEFAULT_STATE_FILE = '/var/lib/fexpod/binfmt-state.json';
const DEFAULT_LOG = '/var/log/fexpod/hook.log';

interface HookArgs {
  stage: string;
  state: string;
  log: string;
  debug: boolean;
  privateBinfmt: boolean;
}

function parseHookArgs(argv: readonly string[]): HookArgs {
  const a: HookArgs = { stage: '', state: DEFAULT_STATE_FILE, log: DEFAULT_LOG, debug: false, privateBinfmt: false };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i];
    if (v === '--state') a.state = argv[++i] ?? a.state;
    else if (v === '--log') a.log = argv[++i] ?? a.log;
    else if (v === '--debug') a.debug = true;
    else if (v === '--private-binfmt') a.privateBinfmt = true;
    else if (v !== undefined && a.stage === '') a.stage = v;
  }
  return a;
}

function readStdin(): Buffer {
  try {
    return readFileSync(0);
  } catch {
    return Buffer.alloc(0);
  }
}

function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, data.length - off);
}

async function main(argv: readonly string[]): Promise<void> {
  const args = parseHookArgs(argv);
  const input = readStdin();
  const fs = hostExecFs();
  const host = Arch.fromNode(process.arch);
  if (args.stage === 'precreate' && !args.debug && isNativeConfig(input.toString('utf8'), fs, host)) {
    writeAll(1, input);
    return;
  }
  try {
    const { runHookStage } = await import('./hook/hook-stage.js');
    const r = await runHookStage(args, input, fs, host);
    if (r.refusal) {
      writeAll(2, Buffer.from(`${r.refusal}\n`));
      refused = true;
      return;
    }
    if (r.output) writeAll(1, r.output);
  } catch {
    // Loading failed (a broken installation): never fail the container.
    if (args.stage !== 'createRuntime') writeAll(1, input);
  }
}

/** The one non-zero exit: a foreign container nothing can run on this non-4k host. */
export const REFUSED_EXIT = 3;
let refused = false;

void main(process.argv.slice(2)).finally(() => {
  process.exitCode = refused ? REFUSED_EXIT : 0;
});
