/**
 * The one test-only setting: host facts the tests need but this machine does
 * not have (a 16 KiB page size, an aarch64 host, crun +LIBKRUN, a usable
 * /dev/kvm, a non-root uid). Set
 *
 *   FEXPOD_TEST_HOST_FACTS=/path/facts.json
 *
 * where the file is JSON with the guard `"testOnly": "fexpod test-only host facts"`
 * and any of: arch, pageSize, uid, kvm ("absent" | "inaccessible" | "usable"),
 * crunFeatures (array, or null for "crun not installed").
 *
 * Two guards keep it out of production by accident: the variable must be set
 * (the hook runs with only the environment in its JSON, so it must be put there
 * on purpose), and the file must carry the marker; a file without it is a loud
 * error, never silently ignored. Every use says so (stderr, or the hook log).
 * Read only at entry points (the CLI's doctor and binfmt commands, the
 * dispatcher, the hook) and applied to the facts they gathered. Builtins only:
 * the hook and the dispatcher load it.
 */
import { ARCH_NAMES, type ArchName } from '../../common/arch.js';
import { FexpodError } from '../../common/errors.js';

export const HOST_OVERRIDE_ENV = 'FEXPOD_TEST_HOST_FACTS';
export const HOST_OVERRIDE_MARKER = 'fexpod test-only host facts';

export type KvmState = 'absent' | 'inaccessible' | 'usable';

export interface HostOverride {
  readonly file: string;
  readonly arch?: ArchName;
  readonly pageSize?: number;
  readonly uid?: number;
  readonly kvm?: KvmState;
  /** null: crun is not installed. */
  readonly crunFeatures?: readonly string[] | null;
}

export class HostOverrideError extends FexpodError {
  constructor(message: string) {
    super(message, { fix: `unset ${HOST_OVERRIDE_ENV} (it is only for fexpod's test suite)`, exitCode: 2 });
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses the override file's text; throws HostOverrideError naming the key and the fix. */
export function parseHostOverride(text: string, file: string): HostOverride {
  const bad = (what: string) => new HostOverrideError(`${HOST_OVERRIDE_ENV}=${file}: ${what}`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw bad('not JSON');
  }
  if (!isObject(doc) || doc['testOnly'] !== HOST_OVERRIDE_MARKER) throw bad(`not a test facts file: "testOnly" must be "${HOST_OVERRIDE_MARKER}"`);
  const out: { -readonly [K in keyof HostOverride]: HostOverride[K] } = { file };
  for (const [k, v] of Object.entries(doc)) {
    switch (k) {
      case 'testOnly':
        break;
      case 'arch': {
        const a = ARCH_NAMES.find((n) => n === v);
        if (!a) throw bad(`arch must be one of ${ARCH_NAMES.join(', ')}`);
        out.arch = a;
        break;
      }
      case 'pageSize':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 4096 || (v & (v - 1)) !== 0) throw bad('pageSize must be a power of two ≥ 4096');
        out.pageSize = v;
        break;
      case 'uid':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw bad('uid must be a non-negative integer');
        out.uid = v;
        break;
      case 'kvm':
        if (v !== 'absent' && v !== 'inaccessible' && v !== 'usable') throw bad('kvm must be "absent", "inaccessible" or "usable"');
        out.kvm = v;
        break;
      case 'crunFeatures':
        if (v !== null && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) throw bad('crunFeatures must be an array of strings or null');
        out.crunFeatures = v;
        break;
      default:
        throw bad(`unknown key "${k}"`);
    }
  }
  return out;
}

/** The override named by the environment, or undefined when the variable is not set. */
export function loadHostOverride(
  env: Readonly<Record<string, string | undefined>>,
  readText: (path: string) => string | undefined,
): HostOverride | undefined {
  const file = env[HOST_OVERRIDE_ENV];
  if (file === undefined || file === '') return undefined;
  const text = readText(file);
  if (text === undefined) throw new HostOverrideError(`${HOST_OVERRIDE_ENV}=${file}: cannot read it`);
  return parseHostOverride(text, file);
}

export function kvmFact(state: KvmState): { readonly present: boolean; readonly accessible: boolean } {
  return { present: state !== 'absent', accessible: state === 'usable' };
}

/** The line every honoured override prints. */
export function overrideNotice(o: HostOverride): string {
  const keys = (['arch', 'pageSize', 'uid', 'kvm', 'crunFeatures'] as const).filter((k) => o[k] !== undefined);
  return `fexpod: test-only host facts from ${o.file} (${keys.map((k) => `${k}=${JSON.stringify(o[k])}`).join(', ')})`;
}
