/**
 * The full hook, loaded by hook-main.ts once the fast native check did not
 * settle the matter: wires the real host effects into the precreate and
 * createRuntime pipelines.
 */
import { release } from 'node:os';
import { dirname, join } from 'node:path';
import type { Arch } from '../../common/arch.js';
import { readTextIfExists } from '../../common/read-text.js';
import { PRIVATE_BINFMT_LOCK_FILE, parseInstallState, type InstallState } from '../../emulator/binfmt/install-state.js';
import { hostBinfmt } from './binfmt-ensure.js';
import type { PlanDeps } from './foreign-plan.js';
import type { ExecFs } from './exec-arch.js';
import { fileLogger } from './hook-log.js';
import type { Logger } from '../../common/log.js';
import { hostMicroVmFacts } from './microvm-host.js';
import { precreate } from './precreate.js';

export interface StageArgs {
  readonly stage: string;
  readonly state: string;
  readonly log: string;
  readonly debug: boolean;
  /** Rootless: register in the private binfmt_misc of Podman's user namespace. */
  readonly privateBinfmt?: boolean;
}

/** The private-instance route, loaded only for foreign containers of a `--user` hook. */
async function privateEnsure(args: StageArgs, log: Logger): Promise<Pick<PlanDeps, 'ensure' | 'installCommand'>> {
  const { ensurePrivateRegistration, hostPrivateBinfmt } = await import('./private-binfmt.js');
  const deps = hostPrivateBinfmt(join(dirname(args.state), PRIVATE_BINFMT_LOCK_FILE), release());
  return {
    installCommand: 'fexpod hook install --user',
    ensure(reg, state) {
      const r = ensurePrivateRegistration(reg, state, deps);
      if (r.created) {
        log.info(`made the private binfmt_misc instance of Podman's user namespace${r.copied.length ? `; carried over the host's ${r.copied.join(', ')}` : ''}${r.notCopied.length ? `; left out ${r.notCopied.join(', ')}` : ''}`);
      }
      return r.result;
    },
  };
}

export function stateLoader(file: string): () => InstallState | undefined {
  return () => {
    const text = readTextIfExists(file);
    return text === undefined ? undefined : parseInstallState(text, file);
  };
}

export interface StageResult {
  /** What to print on stdout (undefined: nothing). */
  readonly output: Uint8Array | undefined;
  /** Set when the container must not be created: the message for stderr (the hook then exits non-zero). */
  readonly refusal?: string;
}

/** Runs one stage. */
export async function runHookStage(args: StageArgs, input: Uint8Array, fs: ExecFs, host: Arch): Promise<StageResult> {
  const log = fileLogger(args.log, args.stage || 'hook', undefined, args.debug);
  const plan: PlanDeps = { fs, host, loadState: stateLoader(args.state), binfmt: hostBinfmt(), ...(args.privateBinfmt ? await privateEnsure(args, log) : {}) };
  if (args.stage === 'createRuntime') {
    // Only `podman build` needs these (and child_process for nsenter).
    const [{ createRuntime }, { hostNamespaceMounts }] = await Promise.all([import('./create-runtime.js'), import('./namespace-mount.js')]);
    createRuntime(Buffer.from(input).toString('utf8'), { ...plan, log, ...hostNamespaceMounts() });
    return { output: undefined };
  }
  if (args.stage !== 'precreate') log.warn(`unknown stage "${args.stage}"; treating it as precreate`);
  const r = precreate(input, { ...plan, log, microVmHost: hostMicroVmFacts(host, process.env, log) });
  return r.refusal ? { output: undefined, refusal: r.refusal } : { output: r.output };
}
