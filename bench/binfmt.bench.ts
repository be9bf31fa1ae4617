/**
 * What the binfmt registration costs: running a foreign static busybox
 * through the kernel (binfmt_misc → fexpod's entry → the staged, patched
 * dynamic QEMU) versus running the same QEMU by hand (`qemu-<arch> busybox true`),
 * which is what a user would otherwise type. Target: ratio ≤ 1.02.
 *
 * Uses the real global binfmt_misc under the shared test lock, with a temp
 * state dir, and uninstalls (restoring the previous entries) at the end.
 * Needs root, qemu-user, patchelf.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withBinfmtLock } from '../test/helpers/binfmt-lock.js';
import { debianPackages, foreignArches } from '../test/helpers/foreign-image.js';
import { repoRoot } from '../test/helpers/integration.js';

const RUNS = Number(process.env['FEXPOD_BENCH_RUNS'] ?? 300);
const guest = foreignArches()[0];
if (!guest) throw new Error('no foreign architecture for this host');
const cli = join(repoRoot(), 'dist', 'src', 'cli.js');
const env = { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin' };

await withBinfmtLock(async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'fexpod-binfmt-bench-'));
  const stateDir = join(tmp, 'state');
  try {
    const [deb] = debianPackages(guest, ['busybox-static']);
    execFileSync('dpkg-deb', ['-x', deb ?? '', join(tmp, 'x')]);
    mkdirSync(join(tmp, 'bin'));
    const busybox = join(tmp, 'bin', 'busybox');
    copyFileSync(join(tmp, 'x', 'bin', 'busybox'), busybox);
    execFileSync('chmod', ['755', busybox]);
    const out = execFileSync(process.execPath, [cli, 'binfmt', 'install', '--guest', guest.name, '--emulator', 'qemu-user', '--state-dir', stateDir, '--json'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    const installed = JSON.parse(out.toString()).installed[0];
    process.stderr.write(`registered ${installed.entryName} -> ${installed.interpreter}\n`);
    // Interleaved runs (A B, B A, A B, …): load drifting on a shared machine
    // hits both commands alike, which back-to-back batches do not.
    const viaBinfmt: number[] = [];
    const direct: number[] = [];
    const time = (file: string, args: string[]) => {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(file, args, { stdio: 'ignore', env });
      const dt = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.status ?? r.signal}`);
      return dt;
    };
    const runVia = () => time(busybox, ['true']);
    const runDirect = () => time(`/usr/bin/qemu-${guest.qemu}`, [busybox, 'true']);
    for (let i = 0; i < 20; i++) (runVia(), runDirect());
    for (let i = 0; i < RUNS; i++) {
      if (i % 2 === 0) (viaBinfmt.push(runVia()), direct.push(runDirect()));
      else (direct.push(runDirect()), viaBinfmt.push(runVia()));
    }
    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      const m = s.length >> 1;
      return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
    };
    const a = median(viaBinfmt);
    const b = median(direct);
    const ratio = a / b;
    process.stdout.write(
      `binfmt: ${guest.name} busybox true, ${RUNS} interleaved runs each\n` +
        `  via binfmt_misc (staged qemu-user, F flag): median ${a.toFixed(2)} ms\n` +
        `  qemu-${guest.qemu} busybox true (by hand):     median ${b.toFixed(2)} ms\n` +
        `  ratio binfmt/direct: ${ratio.toFixed(3)} (target <= 1.02)\n`,
    );
  } finally {
    try {
      execFileSync(process.execPath, [cli, 'binfmt', 'uninstall', '--state-dir', stateDir], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
});
