/**
 * What a relocatable emulator prefix costs.
 *
 *  1. Walking the library closure from ELF headers (resolveClosure) versus
 *     `ldd`, which is what a user would otherwise run to list the libraries
 *     (and which executes the binary's loader).
 *  2. Running the staged, patched dynamic QEMU versus the host's own
 *     /usr/bin/qemu-<arch> on a foreign static busybox: the RUNPATH lookup
 *     into the prefix should cost nothing measurable. Target ratio ≤ 1.02.
 *  3. Staging cold (copy + patchelf) and warm (reuse by digest).
 *
 * Needs qemu-user and patchelf; uses a temp state dir.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { debianPackages, foreignArches } from '../test/helpers/foreign-image.js';
import { stagePrefix } from '../src/emulator/prefix/emulator-prefix.js';
import { nodePrefixDeps } from '../src/emulator/prefix/prefix-deps.js';
import { resolveClosure } from '../src/emulator/prefix/library-closure.js';
import { defaultLibraryDirs, loadLdSoConfDirs } from '../src/common/ld-so-conf.js';
import { Arch } from '../src/common/arch.js';

const RUNS = Number(process.env['FEXPOD_BENCH_RUNS'] ?? 200);
const guest = foreignArches()[0];
if (!guest) throw new Error('no foreign architecture for this host');
const qemu = `/usr/bin/qemu-${guest.qemu}`;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
};
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

const tmp = mkdtempSync(join(tmpdir(), 'fexpod-prefix-bench-'));
try {
  const deps = nodePrefixDeps();
  const host = Arch.fromNode(process.arch);
  const dirs = [...(await loadLdSoConfDirs(deps)), ...defaultLibraryDirs(host)];

  // 1. closure walk vs ldd
  const walk: number[] = [];
  const ldd: number[] = [];
  for (let i = 0; i < 30; i++) {
    let t0 = process.hrtime.bigint();
    await resolveClosure({ binaries: [{ path: qemu, name: 'q' }], systemDirs: dirs }, deps);
    walk.push(ms(t0));
    t0 = process.hrtime.bigint();
    execFileSync('ldd', [qemu], { stdio: 'ignore' });
    ldd.push(ms(t0));
  }

  // 3. staging cold / warm
  let t0 = process.hrtime.bigint();
  const staged = await stagePrefix(qemu, { stateDir: join(tmp, 'state') }, deps);
  const cold = ms(t0);
  t0 = process.hrtime.bigint();
  await stagePrefix(qemu, { stateDir: join(tmp, 'state') }, deps);
  const warm = ms(t0);

  // 2. staged vs host qemu
  const [deb] = debianPackages(guest, ['busybox-static']);
  const busybox = join(tmp, 'busybox');
  writeFileSync(busybox, execFileSync('sh', ['-c', 'dpkg-deb --fsys-tarfile "$1" | tar -xO ./bin/busybox', 'sh', deb ?? ''], { maxBuffer: 1 << 26 }));
  chmodSync(busybox, 0o755);
  const time = (file: string) => {
    const t = process.hrtime.bigint();
    const r = spawnSync(file, [busybox, 'true'], { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${file} exited ${r.status ?? r.signal}`);
    return ms(t);
  };
  const viaPrefix: number[] = [];
  const direct: number[] = [];
  for (let i = 0; i < 20; i++) (time(staged.interpreter), time(qemu));
  for (let i = 0; i < RUNS; i++) {
    if (i % 2 === 0) (viaPrefix.push(time(staged.interpreter)), direct.push(time(qemu)));
    else (direct.push(time(qemu)), viaPrefix.push(time(staged.interpreter)));
  }
  const a = median(viaPrefix);
  const b = median(direct);
  process.stdout.write(
    `prefix: ${qemu}\n` +
      `  closure walk (ELF headers): median ${median(walk).toFixed(2)} ms; ldd: median ${median(ldd).toFixed(2)} ms; ratio walk/ldd ${(median(walk) / median(ldd)).toFixed(3)}\n` +
      `  staging: cold ${cold.toFixed(0)} ms, warm (reuse by digest) ${warm.toFixed(1)} ms\n` +
      `  ${guest.name} busybox true, ${RUNS} interleaved runs: staged ${a.toFixed(2)} ms vs host qemu ${b.toFixed(2)} ms; ratio ${(a / b).toFixed(3)} (target <= 1.02)\n`,
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
