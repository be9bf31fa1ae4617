/**
 * zstd:chunked partial pull, measured: two fexpod builds of the large set that
 * differ in one package (B adds large-059 to A) are pushed as zstd:chunked
 * with skopeo to Debian's docker-registry on loopback; Podman (this host's
 * 4.3, a private store with enable_partial_images) pulls A, then B. A counting
 * proxy in front of the registry gives the blob bytes each pull fetched; the
 * reference is B's whole layer (what a gzip or plain zstd pull fetches).
 * Needs root, podman, skopeo, docker-registry.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { partialPullStore, startRegistry } from '../test/helpers/local-registry.js';
import { largeSet, serve } from './large-set.js';

const run = promisify(execFile);
const repoRoot = new URL('../../', import.meta.url).pathname;
const cli = join(repoRoot, 'dist', 'src', 'cli.js');
const set = largeSet(1);
const base = ['basesystem', 'demo-busybox'];
const names = set.names.slice(0, -1);
const port = 23000 + (process.pid % 20000);
const a = serve(set, port, [...base, ...names]);
const b = serve(set, port + 1, [...base, ...set.names]);
const work = mkdtempSync(join(tmpdir(), 'fexpod-bench-pull-'));
const registry = await startRegistry();
const store = partialPullStore();
const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
try {
  const layers: number[] = [];
  for (const [tag, s] of [['a', a], ['b', b]] as const) {
    const { stdout } = await run(process.execPath, [cli, 'build', s.def, '--repo', `demo=${s.url}`, '--format', 'oci', '--compression', 'zstd:chunked', '-o', join(work, tag), '--cache-dir', join(work, 'cache'), '--lock', join(work, `${tag}.lock.json`), '--json'], { maxBuffer: 64 << 20 });
    layers.push((JSON.parse(stdout) as { layer: { size: number } }).layer.size);
    await run('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${join(work, tag, 'demo.oci')}:demo:latest`, `docker://${registry.host}/fexpod/large:${tag}`]);
  }
  const pull = async (tag: string) => {
    registry.reset();
    await run('podman', ['pull', '-q', '--tls-verify=false', `${registry.host}/fexpod/large:${tag}`], { env: store.env, maxBuffer: 16 << 20 });
    return { bytes: registry.blobBytes(), requests: registry.blobRequests() };
  };
  const first = await pull('a');
  const second = await pull('b');
  process.stdout.write(
    `zstd:chunked partial pull (Podman ${spawnSync('podman', ['--version'], { encoding: 'utf8' }).stdout.trim().split(' ').pop()}, partial pulls on, registry on loopback)\n` +
      `  image A (${names.length + 2} packages): layer ${mb(layers[0] ?? 0)}, first pull fetched ${mb(first.bytes)} in ${first.requests} blob requests\n` +
      `  image B (A + large-059): layer ${mb(layers[1] ?? 0)}, second pull fetched ${mb(second.bytes)} in ${second.requests} blob requests\n` +
      `  second pull / whole layer (what a gzip or zstd pull fetches): ${(((second.bytes) / (layers[1] ?? 1)) * 100).toFixed(1)} %\n`,
  );
} finally {
  store.close();
  await registry.close();
  a.close();
  b.close();
  rmSync(work, { recursive: true, force: true });
}
