/**
 * The registry flags every publishing command shares, spelled as skopeo and
 * podman spell them (--tls-verify[=false], --cert-dir, --authfile), and the
 * CLI edge that turns them and the environment into a connected client.
 */
import { homedir } from 'node:os';
import { type CliContext, type OptionTable, formatOptions } from '../common/command.js';
import { UsageError } from '../common/errors.js';
import { streamLogger, type Logger } from '../common/log.js';
import type { RegistrySettings } from '../registry/connect.js';
import type { ImageReference } from '../registry/reference.js';
import type { RegistryClient } from '../registry/registry-client.js';
import type { ProgressMode } from './transfer-progress.js';

/** How a publishing command reaches a registry (build --push takes these too). */
export const REGISTRY_CONNECTION_OPTIONS = {
  'tls-verify': { type: 'string', value: '=false', choices: ['true', 'false'], help: 'accept any certificate, and plain HTTP (test registries)' },
  'cert-dir': {
    type: 'string',
    value: 'DIR',
    help: '*.crt files are CA roots, NAME.cert + NAME.key a client\ncertificate (default: $XDG_CONFIG_HOME/containers/certs.d/HOST,\n/etc/containers/certs.d/HOST, /etc/docker/certs.d/HOST)',
  },
  authfile: {
    type: 'string',
    value: 'FILE',
    help: 'credentials file to read first (default: $REGISTRY_AUTH_FILE,\nelse $XDG_RUNTIME_DIR/containers/auth.json, then\n~/.config/containers/auth.json, ~/.docker/config.json); write\none with "podman login REGISTRY". Secrets are never printed.',
  },
} as const satisfies OptionTable;

export const REGISTRY_OPTIONS = {
  ...REGISTRY_CONNECTION_OPTIONS,
  verbose: { type: 'boolean', short: 'v', help: 'log every registry request (method, URL without query, status)' },
  json: { type: 'boolean', help: 'print one JSON document on stdout; progress as JSON lines on stderr' },
} as const satisfies OptionTable;

export const REGISTRY_HELP = `Registry options (as skopeo and podman):
${formatOptions(REGISTRY_OPTIONS)}`;

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
