/**
 * The few fields of an OCI runtime config (config.json) the hook needs, read
 * from parsed JSON with type guards (no casts on input).
 */
import { errorMessage } from '../common/errors.js';

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
