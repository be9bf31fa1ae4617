/**
 * The precreate hook: discover → edits → modify. Podman hands it the proposed
 * config.json on stdin and runs whatever it prints. For a native container,
 * and on any doubt or error, it returns the input bytes unchanged: the hook
 * must never be the reason a container fails.
 */
import type { Logger } from '../../common/log.js';
import { errorMessage } from '../../common/errors.js';
import { readHookView } from './oci-config.js';
import { planFor, type PlanDeps } from './foreign-plan.js';
import { applyEdits, editsFor, isEmpty, microVmEditsFor } from './spec-edits.js';

export interface PrecreateResult {
  readonly output: Uint8Array;
  readonly outcome: 'native' | 'unchanged' | 'edited' | 'refused';
  /** Set when refused: why, and the fix (the hook prints it and exits non-zero). */
  readonly refusal?: string;
}

export function precreate(input: Uint8Array, d: PlanDeps & { readonly log: Logger }): PrecreateResult {
  const same: PrecreateResult = { output: input, outcome: 'unchanged' };
  try {
    const text = Buffer.from(input).toString('utf8');
    const view = readHookView(text);
    if (!view.rootPath || !view.rootPath.startsWith('/')) {
      d.log.warn(`root.path ${view.rootPath ?? '(none)'} is not absolute; passing the config through`);
      return same;
    }
    const plan = planFor(view, view.rootPath, d);
    if (plan.kind === 'native') {
      d.log.debug(`native: ${plan.why}`);
      return { output: input, outcome: 'native' };
    }
    if (plan.kind === 'skip') {
      d.log.info(`unchanged: ${plan.why}${plan.fix ? ` (fix: ${plan.fix})` : ''}`);
      return same;
    }
    if (plan.kind === 'refuse') {
      const refusal = `fexpod: refusing this container: ${plan.why}\n  fix: ${plan.fix}`;
      d.log.error(refusal.replace('\n ', ';'));
      return { output: input, outcome: 'refused', refusal };
    }
    if (plan.kind === 'microvm') {
      const edits = microVmEditsFor(view, plan.entries, plan.program);
      d.log.info(`foreign, microVM: ${plan.why}; process.args now ${JSON.stringify(edits.args)}`);
      return { output: Buffer.from(applyEdits(text, edits), 'utf8'), outcome: 'edited' };
    }
    for (const w of plan.warnings) d.log.warn(w);
    const edits = editsFor(view, plan.reg);
    if (isEmpty(edits)) {
      d.log.info(`foreign, nothing to add: ${plan.why}`);
      return same;
    }
    const out = applyEdits(text, edits);
    const added = edits.mounts.map((m) => `mount ${m.destination}`).concat(edits.env.map((e) => `env ${e.split('=')[0]}`));
    if (edits.seccompRules?.length) added.push(`${edits.seccompRules.length} personality() seccomp rules`);
    d.log.info(`foreign: ${plan.why}; added ${added.join(', ')}`);
    return { output: Buffer.from(out, 'utf8'), outcome: 'edited' };
  } catch (err) {
    d.log.error(`passing the config through after an error: ${errorMessage(err)}`);
    return same;
  }
}
