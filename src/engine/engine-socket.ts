/**
 * Where the local container engine listens: the Docker Engine API, which
 * Docker and Podman's API service (`podman system service`, podman.socket)
 * both speak. Pure: the candidates follow from the environment and the uid,
 * in the order a user expects — DOCKER_HOST, CONTAINER_HOST, then the default
 * rootful sockets, then the rootless ones.
 */
import { FexpodError } from '../common/errors.js';

export type EngineEndpoint =
  | { readonly kind: 'unix'; readonly socketPath: string; readonly from: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly from: string };

/** Podman's and Docker's rootful defaults (Podman's first: Fedora's engine). */
export const ROOTFUL_SOCKETS = ['/run/podman/podman.sock', '/var/run/docker.sock'] as const;

/** unix:///path, /path, tcp://host:port or http://host:port → an endpoint; anything else is a usage error. */
export function parseEngineUrl(url: string, from: string): EngineEndpoint {
  if (url.startsWith('/')) return { kind: 'unix', socketPath: url, from };
  const m = /^([a-z]+):\/\/(.*)$/.exec(url);
  const scheme = m?.[1];
  const rest = m?.[2] ?? '';
  if (scheme === 'unix') {
    if (!rest.startsWith('/')) throw badUrl(url, from);
    return { kind: 'unix', socketPath: rest, from };
  }
  if (scheme === 'tcp' || scheme === 'http') {
    const hp = /^(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(rest);
    if (!hp?.[1] || !hp[2]) throw badUrl(url, from);
    return { kind: 'tcp', host: hp[1].replace(/^\[|\]$/g, ''), port: Number(hp[2]), from };
  }
  throw new FexpodError(`${from}=${url}: fexpod --load speaks to an engine over unix:// or tcp:// only`, {
    fix: scheme === 'ssh'
      ? 'forward the remote socket first (ssh -L /tmp/engine.sock:/run/podman/podman.sock HOST) and set DOCKER_HOST=unix:///tmp/engine.sock'
      : 'set it to unix:///path/to/engine.sock or tcp://HOST:PORT',
    exitCode: 2,
  });
}

function badUrl(url: string, from: string): FexpodError {
  return new FexpodError(`${from}=${url} is not an engine address`, { fix: 'use unix:///run/podman/podman.sock or tcp://HOST:PORT', exitCode: 2 });
}

/** Every place to try, in order, without duplicates. */
export function engineCandidates(env: Readonly<Record<string, string | undefined>>, uid: number | undefined): EngineEndpoint[] {
  const out: EngineEndpoint[] = [];
  const add = (e: EngineEndpoint) => {
    if (!out.some((o) => describeEndpoint(o) === describeEndpoint(e))) out.push(e);
  };
  for (const name of ['DOCKER_HOST', 'CONTAINER_HOST'] as const) {
    const v = env[name];
    if (v !== undefined && v !== '') add(parseEngineUrl(v, name));
  }
  for (const s of ROOTFUL_SOCKETS) add({ kind: 'unix', socketPath: s, from: 'rootful default' });
  const runtimeDir = env['XDG_RUNTIME_DIR'] || (uid !== undefined && uid !== 0 ? `/run/user/${uid}` : undefined);
  if (runtimeDir) {
    add({ kind: 'unix', socketPath: `${runtimeDir}/podman/podman.sock`, from: 'rootless default' });
    add({ kind: 'unix', socketPath: `${runtimeDir}/docker.sock`, from: 'rootless default' });
  }
  return out;
}

export function describeEndpoint(e: EngineEndpoint): string {
  return e.kind === 'unix' ? `unix://${e.socketPath}` : `tcp://${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`;
}
