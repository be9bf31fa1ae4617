/**
 * The full hook, loaded by hook-main.ts once the fast native check did not
 * settle the matter: wires the real host effects into the precreate and
 * createRuntime pipelines.
 */
import { readFileSync } from 'node:fs';
import type { Arch } from '../common/arch.js';
import { errnoCode } from '../common/errors.js';
import { parseInstallState, type InstallState } from '../emulator/install-state.js';
import { hostBinfmt } from './binfmt-ensure.js';
import type { ExecFs } from './exec-arch.js';
import { fileLogger } from './hook-log.js';
import { precreate } from './precreate.js';

export interface StageArgs {
  readonly stage: string;
  readonly state: string;
  readonly log: string;
  readonly debug: boolean;
}

export function stateLoader(file: string): () => InstallState | undefined {
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

/** Runs one stage; returns what to print on stdout (undefined: nothing). */
export async function runHookStage(args: StageArgs, input: Uint8Array, fs: ExecFs, host: Arch): Promise<Uint8Array | undefined> {
  const log = fileLogger(args.log, args.stage || 'hook', undefined, args.debug);
  const plan = { fs, host, loadState: stateLoader(args.state), binfmt: hostBinfmt() };
  if (args.stage === 'createRuntime') {
    // Only `podman build` needs these (and child_process for nsenter).
    const [{ createRuntime }, { hostNamespaceMounts }] = await Promise.all([import('./create-runtime.js'), import('./namespace-mount.js')]);
    createRuntime(Buffer.from(input).toString('utf8'), { ...plan, log, ...hostNamespaceMounts() });
    return undefined;
  }
  if (args.stage !== 'precreate') log.warn(`unknown stage "${args.stage}"; treating it as precreate`);
  return precreate(input, { ...plan, log }).output;
}
