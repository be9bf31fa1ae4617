/**
 * The registry flags every publishing command shares, spelled as skopeo and
 * podman spell them (--tls-verify[=false], --cert-dir, --authfile), and the
 * CLI edge that turns them and the environment into a connected client.
 */
import { homedir } from 'node:os';
import type { CliContext } from '../common/command.js';
import { UsageError } from '../common/errors.js';
import { streamLogger, type Logger } from '../common/log.js';
import type { RegistrySettings } from '../registry/connect.js';
import type { ImageReference } from '../registry/reference.js';
import type { RegistryClient } from '../registry/registry-client.js';
import type { ProgressMode } from './transfer-progress.js';

export const REGISTRY_OPTIONS = {
  'tls-verify': { type: 'string' },
  'cert-dir': { type: 'string' },
  authfile: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  json: { type: 'boolean' },
} as const;

export const REGISTRY_HELP = `Registry options (as skopeo and podman):
  --tls-verify=false       accept any certificate, and plain HTTP (test registries)
  --cert-dir DIR           *.crt files are CA roots, NAME.cert + NAME.key a client
                           certificate (default: $XDG_CONFIG_HOME/containers/certs.d/HOST,
                           /etc/containers/certs.d/HOST, /etc/docker/certs.d/HOST)
  --authfile FILE          credentials file to read first (default: $REGISTRY_AUTH_FILE,
                           else $XDG_RUNTIME_DIR/containers/auth.json, then
                           ~/.config/containers/auth.json, ~/.docker/config.json); write
                           one with "podman login REGISTRY". Secrets are never printed.
  -v, --verbose            log every registry request (method, URL without query, status)
  --json                   print one JSON document on stdout; progress as JSON lines on stderr`;

/** "--tls-verify" alone means true (skopeo's boolean flag); parseArgs needs a value. */
export function normalizeFlags(args: readonly string[]): string[] {
  return args.map((a) => (a === '--tls-verify' ? '--tls-verify=true' : a));
}

export interface RegistryFlagValues {
  readonly 'tls-verify'?: string | undefined;
  readonly 'cert-dir'?: string | undefined;
  readonly authfile?: string | undefined;
  readonly verbose?: boolean | undefined;
  readonly json?: boolean | undefined;
}

export function registrySettings(command: string, v: RegistryFlagValues, cwd: string): RegistrySettings {
  const t = v['tls-verify'];
  if (t !== undefined && t !== 'true' && t !== 'false') throw new UsageError(`${command}: --tls-verify takes true or false, not "${t}"`);
  const abs = (p: string) => (p.startsWith('/') ? p : `${cwd}/${p}`);
  return {
    tlsVerify: t !== 'false',
    ...(v['cert-dir'] ? { certDir: abs(v['cert-dir']) } : {}),
    ...(v.authfile ? { authFile: abs(v.authfile) } : {}),
  };
}

export function commandLogger(ctx: CliContext, v: RegistryFlagValues): Logger {
  return streamLogger(ctx.stderr, v.verbose ? 'debug' : 'info');
}

export function progressMode(ctx: CliContext, v: RegistryFlagValues): ProgressMode {
  return v.json ? 'json' : ctx.interactive ? 'tty' : 'lines';
}

/** The registry client for ref (loaded here, on first use: `fexpod build` parses these flags without pushing). */
export async function connect(ctx: CliContext, ref: ImageReference, settings: RegistrySettings, log: Logger): Promise<RegistryClient & { close(): void }> {
  const { connectRegistry } = await import('../registry/connect.js');
  return connectRegistry(ref, settings, {
    env: ctx.env,
    home: ctx.env['HOME'] || homedir(),
    uid: process.getuid?.() ?? 0,
    log,
    now: Date.now,
  });
}

/** A positive whole number flag. */
export function positiveInt(command: string, flag: string, s: string | undefined, dflt: number): number {
  if (s === undefined) return dflt;
  if (!/^\d+$/.test(s) || Number(s) < 1) throw new UsageError(`${command}: ${flag} must be a positive whole number, got "${s}"`);
  return Number(s);
}
