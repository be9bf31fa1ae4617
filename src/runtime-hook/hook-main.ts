#!/usr/bin/env node
/**
 * The hook's own entry point, kept lean on purpose: Podman starts it for every
 * container, so it imports only node builtins and the hook's small modules
 * (no zod, execa, dockerode or tar code, and not the CLI).
 *
 *   hook-main.js precreate     [--state FILE] [--log FILE] [--debug]   config.json on stdin → config on stdout
 *   hook-main.js createRuntime [--state FILE] [--log FILE] [--debug]   OCI state on stdin
 *
 * Exit status is always 0: the hook never fails a container.
 */
import { readFileSync, writeSync } from 'node:fs';
import { Arch } from '../common/arch.js';
import { DEFAULT_STATE_DIR, STATE_FILE_NAME, parseInstallState, type InstallState } from '../emulator/install-state.js';
import { errnoCode } from '../common/errors.js';
import { hostBinfmt } from './binfmt-ensure.js';
import { createRuntime } from './create-runtime.js';
import { DEFAULT_HOOK_LOG, fileLogger } from './hook-log.js';
import { hostExecFs } from './host-fs.js';
import { hostNamespaceMounts } from './namespace-mount.js';
import { precreate } from './precreate.js';

export const DEFAULT_STATE_FILE = `${DEFAULT_STATE_DIR}/${STATE_FILE_NAME}`;

interface HookArgs {
  stage: string;
  state: string;
  log: string;
  debug: boolean;
}

export function parseHookArgs(argv: readonly string[]): HookArgs {
  const a: HookArgs = { stage: '', state: DEFAULT_STATE_FILE, log: DEFAULT_HOOK_LOG, debug: false };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i];
    if (v === '--state') a.state = argv[++i] ?? a.state;
    else if (v === '--log') a.log = argv[++i] ?? a.log;
    else if (v === '--debug') a.debug = true;
    else if (v !== undefined && a.stage === '') a.stage = v;
  }
  return a;
}

function stateLoader(file: string): () => InstallState | undefined {
  return () => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return undefined;
      throw err;
    }
    return parseInstallState(text, file);
  };
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

export function main(argv: readonly string[]): number {
  const args = parseHookArgs(argv);
  const input = readStdin();
  const log = fileLogger(args.log, args.stage || 'hook', undefined, args.debug);
  const plan = {
    fs: hostExecFs(),
    host: Arch.fromNode(process.arch),
    loadState: stateLoader(args.state),
    binfmt: hostBinfmt(),
  };
  if (args.stage === 'createRuntime') {
    createRuntime(input.toString('utf8'), { ...plan, log, ...hostNamespaceMounts() });
    return 0;
  }
  if (args.stage !== 'precreate') log.warn(`unknown stage "${args.stage}"; treating it as precreate`);
  const r = precreate(input, { ...plan, log });
  writeAll(1, r.output);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
