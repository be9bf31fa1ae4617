/**
 * What the binfmt registration costs: running a foreign static busybox
 * through the kernel (binfmt_misc → fexpod's entry → the staged, patched
 * dynamic QEMU) versus running the same QEMU by hand (`qemu-<arch> busybox true`),
 * which is what a user would otherwise type. Target: ratio ≤ 1.02.
 *
 * Uses the real global binfmt_misc under the shared test lock, with a temp
 * state dir, and uninstalls (restoring the previous entries) at the end.
 * Needs root, hyperfine, qemu-user, patchelf.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

interface HyperfineResult {
  results: { command: string; median: number; mean: number; stddev: number }[];
}

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
    const json = join(tmp, 'hyperfine.json');
    execFileSync(
      'hyperfine',
      ['-N', '--warmup', '20', '--runs', String(RUNS), '--export-json', json, `${busybox} true`, `/usr/bin/qemu-${guest.qemu} ${busybox} true`],
      { stdio: ['ignore', 'inherit', 'inherit'], env },
    );
    const r: HyperfineResult = JSON.parse(readFileSync(json, 'utf8'));
    const [viaBinfmt, direct] = r.results;
    if (!viaBinfmt || !direct) throw new Error('hyperfine gave no results');
    const ms = (s: number) => `${(s * 1000).toFixed(2)} ms`;
    const ratio = viaBinfmt.median / direct.median;
    process.stdout.write(
      `binfmt: ${guest.name} busybox true, ${RUNS} runs\n` +
        `  via binfmt_misc (staged qemu-user, F flag): median ${ms(viaBinfmt.median)}\n` +
        `  qemu-${guest.qemu} busybox true (by hand):     median ${ms(direct.median)}\n` +
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
