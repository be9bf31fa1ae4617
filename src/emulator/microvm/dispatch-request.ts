/**
 * What the dispatcher asks the guest step to do, and the muvm command line
 * that carries it. Pure.
 *
 * muvm loses what a binfmt_misc interpreter must pass on (read from
 * AsahiLinux/muvm): a launch that joins a running VM carries command, args and
 * env but no working directory (utils/launch.rs Launch); the guest server
 * spawns the command with argv[0] = its path (guest/server_worker.rs); a child
 * killed by a signal is reported as exit 0 (status.code().unwrap_or_default());
 * only a fixed list of variables plus -e ones reach the guest (env.rs); and
 * COMMAND_ARGS are filtered through bpaf, which keeps "--help" and "-h" for
 * itself (cli_options.rs). So the dispatcher hands muvm one opaque argument,
 * the encoded request below, to its own guest step, which restores cwd, argv[0]
 * and the environment and writes the exact exit status into a directory the
 * host can read (the guest's root is the host's /, muvm.rs krun_set_root("/"),
 * and muvm itself passes its KRUN_CONFIG temp file that way).
 */

export const GUEST_STEP_FLAG = '--fexpod-guest-step';
export const GUEST_SIGNAL_FLAG = '--fexpod-guest-signal';
export const REQUEST_VERSION = 1;

export interface GuestRequest {
  readonly v: typeof REQUEST_VERSION;
  /** The caller's working directory (the same path inside the VM). */
  readonly cwd: string;
  readonly argv0: string;
  /** The program as the kernel named it, with a "/" so no PATH search happens. */
  readonly program: string;
  readonly args: readonly string[];
  /** Names whose values the program gets from the caller (the values travel through muvm -e NAME). */
  readonly env: readonly string[];
  /** A host directory (0700) where the guest step writes pid and status. */
  readonly statusDir: string;
}

export interface SignalRequest {
  readonly v: typeof REQUEST_VERSION;
  readonly statusDir: string;
  readonly signal: string;
}

/**
 * Variables the microVM provides for itself, so the guest's value wins over the
 * caller's: the display, session and audio sockets of the host are not inside
 * the VM (muvm bridges X11 as DISPLAY=:1, guest/x11.rs; its own XDG_RUNTIME_DIR
 * and HOME, guest/user.rs), and the settings muvm forces for its bridges
 * (env.rs, guest/x11.rs).
 */
export const VM_OWNED_ENV: readonly string[] = [
  'DISPLAY', 'XAUTHORITY', 'WAYLAND_DISPLAY', 'XDG_RUNTIME_DIR', 'DBUS_SESSION_BUS_ADDRESS', 'PULSE_SERVER',
  'XSHMFENCE_NO_MEMFD', 'HK_SYSMEM', 'GTK_IM_MODULE', 'QT_IM_MODULE', 'XRE_PROFILE_PATH',
];

/** Names muvm's "-e NAME" can carry: no "=", not starting with "-" (it would parse as an option). */
export function passableEnvName(name: string): boolean {
  return name !== '' && !name.includes('=') && !name.startsWith('-') && !name.includes('\0');
}

/** The caller's variables that travel into the VM, sorted. */
export function passedEnvNames(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.keys(env)
    .filter((k) => env[k] !== undefined && passableEnvName(k) && !VM_OWNED_ENV.includes(k))
    .sort();
}

/** The program path as the kernel passed it, made unambiguous for spawn (no PATH search). */
export function programPath(binary: string): string {
  return binary.includes('/') ? binary : `./${binary}`;
}

export function encodeRequest(r: GuestRequest | SignalRequest): string {
  return Buffer.from(JSON.stringify(r), 'utf8').toString('base64url');
}

function decodeObject(blob: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(blob, 'base64url').toString('utf8'));
  } catch {
    throw new Error('the request is not an encoded fexpod request');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('the request is not an object');
  const o = doc as Record<string, unknown>;
  if (o['v'] !== REQUEST_VERSION) throw new Error(`request version ${String(o['v'])} is not ${REQUEST_VERSION} (host and guest run different fexpod versions)`);
  if (typeof o['statusDir'] !== 'string' || !o['statusDir'].startsWith('/')) throw new Error('request.statusDir must be an absolute path');
  return o;
}

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

export function decodeGuestRequest(blob: string): GuestRequest {
  const o = decodeObject(blob);
  const { cwd, argv0, program, args, env, statusDir } = o;
  if (typeof cwd !== 'string' || !cwd.startsWith('/')) throw new Error('request.cwd must be an absolute path');
  if (typeof argv0 !== 'string') throw new Error('request.argv0 must be a string');
  if (typeof program !== 'string' || !program.includes('/')) throw new Error('request.program must be a path');
  if (!strings(args) || !strings(env)) throw new Error('request.args and request.env must be arrays of strings');
  return { v: REQUEST_VERSION, cwd, argv0, program, args, env, statusDir: String(statusDir) };
}

export function decodeSignalRequest(blob: string): SignalRequest {
  const o = decodeObject(blob);
  if (typeof o['signal'] !== 'string' || !/^SIG[A-Z0-9]+$/.test(o['signal'])) throw new Error('request.signal must be a signal name');
  return { v: REQUEST_VERSION, statusDir: String(o['statusDir']), signal: o['signal'] };
}

export interface MuvmCommand {
  readonly muvm: string;
  /** -f images, RootFS first. */
  readonly images: readonly string[];
  readonly envNames: readonly string[];
  /** Attach stdio and wait (-i): without it a launch that joins a running VM returns at once. */
  readonly interactive: boolean;
  /** Allocate a tty (-t): only when stdin is one. */
  readonly tty: boolean;
  /** The command run inside the VM. */
  readonly command: readonly string[];
}

export function muvmArgv(c: MuvmCommand): string[] {
  const argv = [c.muvm];
  if (c.interactive) argv.push('-i');
  if (c.tty) argv.push('-t');
  for (const img of c.images) argv.push('-f', img);
  for (const name of c.envNames) argv.push('-e', name);
  argv.push('--', ...c.command);
  return argv;
}

/** The guest's environment: the caller's passed names (as muvm delivered them) and the VM's own variables. */
export function guestEnv(req: GuestRequest, delivered: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [...req.env, ...VM_OWNED_ENV]) {
    const v = delivered[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/** The exit status the host reports, as the guest step recorded it. */
export type ExitStatus = { readonly code: number } | { readonly signal: string };

export function parseExitStatus(text: string | undefined): ExitStatus | undefined {
  if (text === undefined) return undefined;
  try {
    const doc: unknown = JSON.parse(text);
    if (typeof doc !== 'object' || doc === null) return undefined;
    if ('code' in doc && typeof doc.code === 'number' && Number.isInteger(doc.code) && doc.code >= 0 && doc.code <= 255) return { code: doc.code };
    if ('signal' in doc && typeof doc.signal === 'string' && /^SIG[A-Z0-9]+$/.test(doc.signal)) return { signal: doc.signal };
  } catch {
    /* a torn or foreign file: no status */
  }
  return undefined;
}
