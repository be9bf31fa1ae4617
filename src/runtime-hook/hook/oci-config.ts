/**
 * The few fields of an OCI runtime config (config.json) the hook needs, read
 * from parsed JSON with type guards (no casts on input).
 */
import { errorMessage } from '../../common/errors.js';
import type { SeccompArg, SeccompRule, SeccompView } from '../fex/personality-rule.js';

export interface OciMount {
  readonly destination: string;
  readonly source?: string;
  readonly type?: string;
  readonly options?: readonly string[];
}

export interface HookView {
  readonly rootPath: string | undefined;
  readonly rootReadonly: boolean;
  readonly args: readonly string[];
  readonly env: readonly string[] | undefined;
  readonly cwd: string | undefined;
  readonly mounts: readonly OciMount[];
  readonly annotations: Readonly<Record<string, string>>;
  /** linux.seccomp, undefined when the container runs without a filter. */
  readonly seccomp: SeccompView | undefined;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return isObj(v) ? v : undefined;
}

function strings(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: string[] = [];
  for (const x of v) {
    if (typeof x !== 'string') return undefined;
    out.push(x);
  }
  return out;
}

function seccompArgs(v: unknown): SeccompArg[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: SeccompArg[] = [];
  for (const a of v) {
    const o = obj(a);
    if (!o || typeof o['index'] !== 'number' || typeof o['value'] !== 'number' || typeof o['op'] !== 'string') return undefined;
    out.push({ index: o['index'], value: o['value'], op: o['op'] });
  }
  return out;
}

function readSeccomp(v: unknown): SeccompView | undefined {
  const s = obj(v);
  if (!s) return undefined;
  const syscalls: SeccompRule[] = [];
  if (Array.isArray(s['syscalls'])) {
    for (const r of s['syscalls']) {
      const o = obj(r);
      const names = strings(o?.['names']);
      if (o && names && typeof o['action'] === 'string') syscalls.push({ names, action: o['action'], args: seccompArgs(o['args']) });
    }
  }
  return { defaultAction: typeof s['defaultAction'] === 'string' ? s['defaultAction'] : '', syscalls };
}

export class OciConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OciConfigError';
  }
}

/** Parses config.json text into the hook's view; throws OciConfigError on anything malformed. */
export function readHookView(text: string): HookView {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new OciConfigError(`config is not JSON: ${errorMessage(err)}`);
  }
  const spec = obj(doc);
  if (!spec) throw new OciConfigError('config is not a JSON object');
  const root = obj(spec['root']);
  const proc = obj(spec['process']);
  const mounts: OciMount[] = [];
  if (Array.isArray(spec['mounts'])) {
    for (const m of spec['mounts']) {
      const mo = obj(m);
      if (mo && typeof mo['destination'] === 'string') {
        const options = strings(mo['options']);
        mounts.push({
          destination: mo['destination'],
          ...(typeof mo['source'] === 'string' ? { source: mo['source'] } : {}),
          ...(typeof mo['type'] === 'string' ? { type: mo['type'] } : {}),
          ...(options ? { options } : {}),
        });
      }
    }
  }
  const annotations: Record<string, string> = {};
  const ann = obj(spec['annotations']);
  if (ann) for (const [k, v] of Object.entries(ann)) if (typeof v === 'string') annotations[k] = v;
  return {
    rootPath: typeof root?.['path'] === 'string' ? root['path'] : undefined,
    rootReadonly: root?.['readonly'] === true,
    args: strings(proc?.['args']) ?? [],
    env: strings(proc?.['env']),
    cwd: typeof proc?.['cwd'] === 'string' ? proc['cwd'] : undefined,
    mounts,
    annotations,
    seccomp: readSeccomp(obj(spec['linux'])?.['seccomp']),
  };
}

/** The OCI runtime state a createRuntime hook gets on stdin. */
export interface OciState {
  readonly id: string;
  readonly pid: number;
  readonly bundle: string;
}

export function readOciState(text: string): OciState {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new OciConfigError(`state is not JSON: ${errorMessage(err)}`);
  }
  const s = obj(doc);
  if (!s) throw new OciConfigError('state is not a JSON object');
  const pid = s['pid'];
  const bundle = s['bundle'];
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) throw new OciConfigError('state has no pid');
  if (typeof bundle !== 'string' || !bundle.startsWith('/')) throw new OciConfigError('state has no absolute bundle path');
  return { id: typeof s['id'] === 'string' ? s['id'] : '', pid, bundle };
}
