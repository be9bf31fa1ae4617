/**
 * `fexpod push` against `skopeo copy`, the tool a user would otherwise run
 * (`skopeo copy oci:LAYOUT:REF docker://…`), pushing the same OCI layout to
 * the same kind of registry: Debian's docker-registry on loopback, a fresh
 * one (empty storage) for every cold run so neither tool finds a blob there.
 *
 *   cold      the whole image uploaded, against skopeo's cold push   (target ≤ 0.8×)
 *   re-push   the same image again, nothing changed, against fexpod's
 *             own cold push (as build-large's no-op rebuild is against
 *             the cold build)                                       (target ≤ 0.1×)
 *
 * The ratio takes the first re-push after each cold push; FEXPOD_BENCH_AGAIN
 * (default 3) more re-pushes per run are printed beside it (a ~100 ms
 * process on a shared machine: more samples, a steadier median).
 *
 * The re-push is also printed against skopeo's re-push, for the record:
 * both are a few requests, so that figure is the two start-ups' ratio.
 *
 * And the registry's own floor: curl sending each blob in one PUT and the
 * manifest, nothing checked first (a shell script; its few process start-ups
 * are in it). The registry hashes and writes every byte on one core, so no
 * client pushes faster than this; on an idle machine both tools come close
 * to it, and the ratio above is what each client adds when they compete for
 * the cores.
 *
 * The layout is the sample tree plus FEXPOD_BENCH_MB (default 640) MiB of
 * files, half random, half text, in one gzip layer: ~320 MiB, the size of a
 * Fedora RootFS layer (a realistic image, not a toy one: a small one
 * measures only the two tools' start-ups). Both
 * tools run as CLI processes (their start-up counts). Median of
 * FEXPOD_BENCH_RUNS (default 5). Needs docker-registry and skopeo; prints
 * figures, asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../src/common/log.js';
import type { TreeEntry } from '../src/builder/tree/tree.js';
import { connectRegistry } from '../src/registry/connect.js';
import { parseReference } from '../src/registry/reference.js';
import { openLayout } from '../src/publish/oci-source.js';
import { publish } from '../src/publish/publish.js';
import { startRegistry } from '../test/helpers/registry.js';

const RUNS = Number(process.env['FEXPOD_BENCH_RUNS'] ?? '5');
const MB = Number(process.env['FEXPOD_BENCH_MB'] ?? '640');
const AGAIN = Number(process.env['FEXPOD_BENCH_AGAIN'] ?? '3');
const cli = join(new URL('../src/cli.js', import.meta.url).pathname);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

/** CPU seconds (user+sys) of every run, by tool and phase: steadier than wall time on a loaded machine. */
const cpu: Record<string, number[]> = {};

/** Wall seconds of one CLI run; its CPU time (GNU time) goes to cpu[key]. */
function timed(cmd: string, args: string[], key: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', 'fexpod-bench-time %U %S', cmd, ...args], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  const m = /fexpod-bench-time ([\d.]+) ([\d.]+)/.exec(r.stderr);
  (cpu[key] ??= []).push(Number(m?.[1] ?? 0) + Number(m?.[2] ?? 0));
  return s;
}

/** The child's part: the noise layout written to outDir (the builder loads only here). */
async function writeNoiseLayout(outDir: string): Promise<void> {
  const { processRunner } = await import('../src/common/process-runner.js');
  const { defaultOutputNames } = await import('../src/builder/outputs/output-plan.js');
  const { writeOutputs } = await import('../src/builder/steps/outputs.js');
  const { bufferContent } = await import('../src/builder/tree/tree.js');
  const { hostArch, sampleTree, SAMPLE_EPOCH } = await import('../test/helpers/sample-tree.js');
  const entries: TreeEntry[] = [...sampleTree(), { path: 'usr/share/bench', type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: SAMPLE_EPOCH }];
  const words = 'fexpod registry push layer blob manifest digest chunk upload resume '.repeat(1 << 12);
  for (let i = 0; i < MB; i++) {
    const data = i % 2 === 0 ? randomBytes(1 << 20) : Buffer.from(words.slice(0, 1 << 20));
    entries.push({ path: `usr/share/bench/f${i}`, type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: SAMPLE_EPOCH, content: bufferContent(data) });
  }
  await writeOutputs(
    { entries, formats: ['oci'], outDir, names: defaultOutputNames('bench'), arch: hostArch(), sourceDateEpoch: SAMPLE_EPOCH, image: { refName: 'bench:1', createdBy: 'fexpod bench' } },
    { runner: processRunner, privileged: process.getuid?.() === 0, pageSize: 4096, env: process.env, log: silentLogger },
  );
}

if (process.argv[2] === '--write-layout' && process.argv[3]) {
  await writeNoiseLayout(process.argv[3]);
  process.exit(0);
}

/** The registry's floor: each blob in one PUT (POST for the session first), then the manifest. */
const CURL_PUSH = `set -e
reg=$1 repo=$2 tag=$3 dir=$4 manifest=$5 mt=$6; shift 6
for d in "$@"; do
  loc=$(curl -sf -o /dev/null -D - -X POST "http://$reg/v2/$repo/blobs/uploads/" | tr -d '\\r' | sed -n 's/^[Ll]ocation: //p')
  case $loc in http*) ;; *) loc="http://$reg$loc" ;; esac
  case $loc in *\\?*) sep='&' ;; *) sep='?' ;; esac
  curl -sf -o /dev/null -T "$dir/blobs/sha256/\${d#sha256:}" -H 'content-type: application/octet-stream' "$loc\${sep}digest=$d"
done
curl -sf -o /dev/null -X PUT -H "content-type: $mt" --data-binary "@$dir/blobs/sha256/\${manifest#sha256:}" "http://$reg/v2/$repo/manifests/$tag"
`;

const work = mkdtempSync(join(tmpdir(), 'fexpod-bench-push-'));
try {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--write-layout', work], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (child.status !== 0) throw new Error(`writing the bench layout failed (exit ${child.status ?? child.signal})`);
  const layout = join(work, 'bench.oci');
  const size = Number(spawnSync('du', ['-sb', layout], { encoding: 'utf8' }).stdout.split('\t')[0]);
  statSync(layout);
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string; mediaType: string }[] };
  const top = index.manifests[0];
  if (!top) throw new Error('the bench layout has no manifest');
  const manifest = JSON.parse(readFileSync(join(layout, 'blobs', 'sha256', top.digest.slice(7)), 'utf8')) as { config: { digest: string }; layers: { digest: string }[] };
  const blobs = [manifest.config.digest, ...manifest.layers.map((l) => l.digest)];
  const cold = { fexpod: [] as number[], skopeo: [] as number[], curl: [] as number[] };
  const again = { fexpod: [] as number[], skopeo: [] as number[] };
  const inProcess: number[] = [];
  const more: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const tools = ['fexpod', 'skopeo', 'curl'] as const;
    const order = [...tools.slice(i % 3), ...tools.slice(0, i % 3)];
    for (const tool of order) {
      const reg = await startRegistry();
      try {
        const dest = `${reg.host}/bench/image:${i}`;
        if (tool === 'curl') {
          cold.curl.push(timed('bash', ['-c', CURL_PUSH, 'curl-push', reg.host, 'bench/image', String(i), layout, top.digest, top.mediaType, ...blobs], 'curl cold'));
          continue;
        }
        const push = (phase: string) =>
          tool === 'fexpod'
            ? timed(process.execPath, [cli, 'push', '--tls-verify=false', layout, dest], `${tool} ${phase}`)
            : timed('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${layout}:bench:1`, `docker://${dest}`], `${tool} ${phase}`);
        cold[tool].push(push('cold'));
        again[tool].push(push('re-push'));
        if (tool === 'fexpod') {
          for (let k = 0; k < AGAIN; k++) more.push(push('re-push'));
          // the same re-push as a library call: fexpod's own work, without Node's start-up
          const ref = parseReference(dest);
          const client = await connectRegistry(ref, { tlsVerify: false }, { env: {}, home: work, uid: 0, log: silentLogger, now: Date.now });
          const src = await openLayout(layout, work);
          const t0 = process.hrtime.bigint();
          const r = await publish(client, { ref, layouts: [src] }, { jobs: 4, chunkSize: 64 << 20, now: Date.now, sleep: async () => {}, random: Math.random });
          inProcess.push(Number(process.hrtime.bigint() - t0) / 1e9);
          if (r.changed) throw new Error('the re-push changed something');
          client.close();
        }
      } finally {
        await reg.close();
      }
    }
  }
  const f = (s: number) => `${(s * 1000).toFixed(0)} ms`;
  const mcf = median(cold.fexpod);
  const mcs = median(cold.skopeo);
  const maf = median(again.fexpod);
  const mas = median(again.skopeo);
  const mcc = median(cold.curl);
  process.stdout.write(`push of a ${(size / 1048576).toFixed(1)} MiB OCI layout (the timing process's RSS ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB) to docker-registry on loopback, median of ${RUNS} (load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})\n`);
  process.stdout.write(`  cold     fexpod push ${f(mcf)} (${(size / 1048576 / mcf).toFixed(0)} MiB/s)   skopeo copy ${f(mcs)} (${(size / 1048576 / mcs).toFixed(0)} MiB/s)   ratio ${(mcf / mcs).toFixed(2)} (target ≤ 0.8)\n`);
  process.stdout.write(`           the registry's floor (curl, one PUT per blob, nothing checked) ${f(mcc)}: fexpod ${(mcf / mcc).toFixed(2)}×, skopeo ${(mcs / mcc).toFixed(2)}× of it\n`);
  process.stdout.write(`  re-push  fexpod push ${f(maf)}, against its cold push: ratio ${(maf / mcf).toFixed(3)} (target ≤ 0.1)\n`);
  if (more.length > 0) process.stdout.write(`           ${AGAIN} more re-pushes per run: median ${f(median(more))}, ratio ${(median(more) / mcf).toFixed(3)}; all ${more.length + again.fexpod.length}: ${f(median([...more, ...again.fexpod]))}, ratio ${(median([...more, ...again.fexpod]) / mcf).toFixed(3)}\n`);
  process.stdout.write(`           skopeo copy ${f(mas)}, against its cold push ${(mas / mcs).toFixed(3)}; fexpod's re-push against skopeo's ${(maf / mas).toFixed(2)} (both are a few requests: the start-ups' ratio)\n`);
  const node = median(Array.from({ length: RUNS }, () => timed(process.execPath, ['-e', '0'], 'node -e 0')));
  process.stdout.write(`  re-push inside one process (no start-up): ${f(median(inProcess))}; Node's own start-up here: ${f(node)}\n`);
  const c = (k: string) => `${k} ${(median(cpu[k] ?? []) * 1000).toFixed(0)} ms`;
  process.stdout.write(`  CPU time (user+sys, the client only; GNU time's 10 ms resolution), median: ${['fexpod cold', 'skopeo cold', 'fexpod re-push', 'skopeo re-push', 'node -e 0'].map(c).join(', ')}\n`);
  process.stdout.write(`  runs: fexpod cold ${cold.fexpod.map(f).join(' ')}, skopeo cold ${cold.skopeo.map(f).join(' ')}, curl ${cold.curl.map(f).join(' ')}; fexpod again ${again.fexpod.map(f).join(' ')}, skopeo again ${again.skopeo.map(f).join(' ')}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
