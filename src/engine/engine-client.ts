/**
 * Finds the first container engine that answers, over the Docker Engine API
 * with dockerode (Docker Engine and Podman's API service alike), and names
 * it. dockerode is loaded only here, and only when a command asks for an
 * engine (`fexpod build --load`): the hook and every other command never pay
 * for it.
 */
import { stat } from 'node:fs/promises';
import { FexpodError, errnoCode, errorMessage } from '../common/errors.js';
import { describeEndpoint, type EngineEndpoint } from './engine-socket.js';

/** Exit code of "no container engine answered" (documented in docs/ci.md and build --help). */
export const NO_ENGINE_EXIT_CODE = 5;

/** The part of the Docker Engine API fexpod uses. */
export interface EngineApi {
  ping(): Promise<unknown>;
  version(): Promise<{ readonly Version?: string; readonly Components?: readonly { readonly Name?: string; readonly Version?: string }[] }>;
  /** POST /images/load with a tar stream; resolves to the engine's (JSON lines) response. */
  loadImage(tar: NodeJS.ReadableStream): Promise<NodeJS.ReadableStream>;
}

export interface EngineDeps {
  /** A client for an endpoint; timeoutMs bounds each request (probes only). */
  client(endpoint: EngineEndpoint, timeoutMs: number | undefined): Promise<EngineApi>;
  /** Whether a unix socket path exists (so a missing one is "not there", not a hang). */
  socketExists(path: string): Promise<boolean>;
}

export interface ConnectedEngine {
  readonly endpoint: EngineEndpoint;
  readonly address: string;
  /** "Podman Engine 4.3.1", "Docker Engine 24.0.7". */
  readonly product: string;
  readonly api: EngineApi;
}

export const PROBE_TIMEOUT_MS = 3000;

/** dockerode behind EngineApi (loaded lazily). */
export const dockerodeDeps: EngineDeps = {
  async client(endpoint, timeoutMs) {
    const { default: Docker } = await import('dockerode');
    const docker = endpoint.kind === 'unix'
      ? new Docker({ socketPath: endpoint.socketPath, ...(timeoutMs ? { timeout: timeoutMs } : {}) })
      : new Docker({ host: endpoint.host, port: endpoint.port, protocol: 'http', ...(timeoutMs ? { timeout: timeoutMs } : {}) });
    return {
      ping: () => docker.ping(),
      version: () => docker.version(),
      loadImage: (tar) => docker.loadImage(tar),
    };
  },
  async socketExists(path) {
    try {
      return (await stat(path)).isSocket();
    } catch (err) {
      if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return false;
      return true; // EACCES and the like: let the probe report it
    }
  },
};

function productOf(v: Awaited<ReturnType<EngineApi['version']>>): string {
  const named = v.Components?.find((c) => /engine/i.test(c.Name ?? ''));
  // Docker names its component plain "Engine"; Podman says "Podman Engine".
  const name = named?.Name === 'Engine' ? 'Docker Engine' : named?.Name;
  if (name) return `${name} ${named?.Version ?? v.Version ?? ''}`.trim();
  return `Docker Engine API ${v.Version ?? '(unknown version)'}`;
}

function probeError(err: unknown): string {
  const code = errnoCode(err);
  if (code === 'ECONNREFUSED') return 'connection refused (nothing listens)';
  if (code === 'EACCES') return 'permission denied (run as root, or use your rootless socket)';
  if (/timeout/i.test(errorMessage(err)) || code === 'ETIMEDOUT') return 'no answer within 3 s';
  return errorMessage(err);
}

/** Tries each candidate in order; the first that answers /_ping wins. */
export async function connectEngine(candidates: readonly EngineEndpoint[], deps: EngineDeps = dockerodeDeps): Promise<ConnectedEngine> {
  const tried: string[] = [];
  for (const endpoint of candidates) {
    const address = describeEndpoint(endpoint);
    const label = `${address} (${endpoint.from})`;
    if (endpoint.kind === 'unix' && !(await deps.socketExists(endpoint.socketPath))) {
      tried.push(`${label}: not there`);
      continue;
    }
    try {
      const probe = await deps.client(endpoint, PROBE_TIMEOUT_MS);
      await probe.ping();
      const product = productOf(await probe.version());
      return { endpoint, address, product, api: await deps.client(endpoint, undefined) };
    } catch (err) {
      tried.push(`${label}: ${probeError(err)}`);
    }
  }
  throw new FexpodError(`no container engine answered; tried:\n    ${tried.join('\n    ')}`, {
    fix: 'start one — Podman: "sudo systemctl enable --now podman.socket" (or "systemctl --user enable --now podman.socket" ' +
      'rootless, or "podman system service --time=0 unix:///run/podman/podman.sock &"); Docker: "sudo systemctl start docker" — ' +
      'or point DOCKER_HOST at it (DOCKER_HOST=unix:///path/to/engine.sock); without an engine, use the oci-archive output: podman load -i NAME.oci.tar',
    exitCode: NO_ENGINE_EXIT_CODE,
  });
}
