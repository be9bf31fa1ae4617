/**
 * `fexpod build --load` against real engines: Podman's API service and Docker
 * Engine (Debian's docker.io), each started by the test on a unix socket in a
 * temp dir; the loaded image then runs. And with no engine answering: one
 * clear error naming every socket tried, exit code 5, the outputs kept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { integration, isRoot, onPath } from '../../helpers/integration.js';
import { cliPath, demoSetup, type DemoSetup } from '../../helpers/demo-build.js';
import { podman } from '../runtime-hook/hook-host.js';
import { dockerService, podmanService } from './engine-service.js';

const req = integration(onPath('podman'), onPath('unshare'), isRoot());
const dockerReq = integration(onPath('dockerd'), onPath('docker'), isRoot());

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command asynchronously (the demo repository is served by this process). */
function run(cmd: readonly string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env })) if (v !== undefined) clean[k] = v;
  return new Promise((resolve) => {
    const c = spawn(cmd[0] ?? 'false', cmd.slice(1), { env: clean, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The CLI, optionally wrapped (prefix) in another command. */
function fexpod(args: readonly string[], env: Record<string, string | undefined>, prefix: readonly string[] = []): Promise<Run> {
  return run([...prefix, process.execPath, cliPath(), ...args], env);
}

const NO_ENGINE_ENV = { DOCKER_HOST: undefined, CONTAINER_HOST: undefined };

async function buildAndLoad(s: DemoSetup, out: string, ref: string, env: Record<string, string | undefined>): Promise<{ manifestDigest: string; loaded: { engine: string; reference: string; manifestDigest: string; loaded: string[] } }> {
  const r = await fexpod(['build', s.defFile, '--repo', s.repoArg, '--format', 'sbom', '-o', out, '--load-as', ref, '--json'], { ...NO_ENGINE_ENV, ...env });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as never;
}

test('fexpod build --load', { ...req, timeout: 10 * 60_000 }, async (t) => {
  const s = await demoSetup();
  const out = mkdtempSync(join(tmpdir(), 'fexpod-load-out-'));
  const ref = `localhost/fexpod-load-test:${process.pid}`;
  try {
    await t.test('into Podman\'s API service (DOCKER_HOST): the image appears with its tag and runs', async () => {
      const svc = await podmanService();
      try {
        const res = await buildAndLoad(s, out, ref, { DOCKER_HOST: svc.url });
        assert.match(res.loaded.engine, /^Podman Engine \d/);
        assert.equal(res.loaded.reference, ref);
        assert.deepEqual(res.loaded.loaded, [ref]);
        // --format sbom alone: --load added the OCI layout it reads.
        assert.ok(existsSync(join(out, 'demo.oci', 'index.json')));
        const digest = podman(['image', 'inspect', '--format', '{{.Digest}}', ref]);
        assert.equal(digest.stdout.trim(), res.manifestDigest, 'podman stores the manifest fexpod built');
        const run = podman(['run', '--rm', ref, '/bin/busybox', 'echo', 'loaded and running']);
        assert.equal(run.status, 0, run.stderr);
        assert.equal(run.stdout.trim(), 'loaded and running');
      } finally {
        podman(['rmi', '-f', ref]);
        await svc.stop();
      }
    });

    await t.test('CONTAINER_HOST is found when DOCKER_HOST is unset', async () => {
      const svc = await podmanService();
      try {
        const res = await buildAndLoad(s, out, ref, { CONTAINER_HOST: svc.url });
        assert.match(res.loaded.engine, /^Podman Engine/);
        assert.equal(podman(['image', 'exists', ref]).status, 0);
      } finally {
        podman(['rmi', '-f', ref]);
        await svc.stop();
      }
    });

    await t.test('no engine answering: one error naming the sockets tried, exit code 5, outputs kept', async () => {
      const none = mkdtempSync(join(tmpdir(), 'fexpod-load-none-'));
      const out2 = mkdtempSync(join(tmpdir(), 'fexpod-load-out2-'));
      try {
        // A private mount namespace with an empty /run (and so /var/run): the
        // machine's rootful sockets, if any, are out of sight.
        const r = await fexpod(['build', s.defFile, '--repo', s.repoArg, '--format', 'oci-archive', '-o', out2, '--load'],
          { DOCKER_HOST: `unix://${none}/docker.sock`, CONTAINER_HOST: undefined, XDG_RUNTIME_DIR: `${none}/xdg` },
          ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs tmpfs /run && exec "$@"', 'sh']);
        assert.equal(r.status, 5, r.stderr);
        const errors = r.stderr.split('\n').filter((l) => l.startsWith('fexpod: error:'));
        assert.equal(errors.length, 1, r.stderr);
        for (const sock of [`${none}/docker.sock (DOCKER_HOST)`, '/run/podman/podman.sock (rootful default)', '/var/run/docker.sock (rootful default)', `${none}/xdg/podman/podman.sock (rootless default)`]) {
          assert.ok(r.stderr.includes(`unix://${sock}: not there`), `${sock} in:\n${r.stderr}`);
        }
        assert.match(r.stderr, /fix: .*podman\.socket/);
        assert.ok(existsSync(join(out2, 'demo.oci.tar')), 'the build\'s outputs stay');
        assert.ok(existsSync(join(out2, 'demo.oci', 'index.json')));
      } finally {
        rmSync(none, { recursive: true, force: true });
        rmSync(out2, { recursive: true, force: true });
      }
    });

    await t.test('into Docker Engine (Debian\'s docker.io, a private dockerd)', dockerReq, async () => {
      const svc = await dockerService();
      const docker = (args: string[]) => run(['docker', '-H', svc.url, ...args]);
      try {
        const res = await buildAndLoad(s, out, ref, { DOCKER_HOST: svc.url });
        assert.match(res.loaded.engine, /^Docker Engine \d/);
        assert.deepEqual(res.loaded.loaded, [ref]);
        const id = await docker(['image', 'inspect', '--format', '{{.Id}}', ref]);
        assert.equal(id.status, 0, id.stderr);
        const run = await docker(['run', '--rm', '--network', 'none', ref, '/bin/busybox', 'echo', 'docker runs it']);
        assert.equal(run.status, 0, run.stderr);
        assert.equal(run.stdout.trim(), 'docker runs it');
      } finally {
        await svc.stop();
      }
    });
  } finally {
    await s.close();
    rmSync(out, { recursive: true, force: true });
  }
});
