/**
 * What the muvm dispatcher adds to every x86 program started on a non-4k
 * host: the dispatcher (started as the kernel starts it, with the P-flag
 * arguments) running a muvm that returns at once, versus that muvm typed by
 * hand (`muvm -i -- FEX prog`), which is what a user would otherwise do. muvm
 * and FEX cannot run here, so both sides use the same do-nothing muvm
 * stand-in: the difference is the dispatcher's own cost (Node start-up, the
 * host facts, the request). A real muvm launch (a vsock round trip into the VM,
 * FEX's own start, or booting the VM on the first launch) comes on top of both
 * sides and is not measured. No target in the issue; the figure is printed.
 *
 * Runs as an unprivileged user (the dispatcher refuses root, as muvm does),
 * with the test-only host facts (16 KiB pages, an aarch64 host).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOST_OVERRIDE_ENV, HOST_OVERRIDE_MARKER } from '../src/emulator/host/host-override.js';
import { dispatcherScript } from '../src/emulator/microvm/dispatcher-script.js';
import { repoRoot } from '../test/helpers/integration.js';

const RUNS = Number(process.env['FEXPOD_BENCH_RUNS'] ?? 100);
const NOBODY = 65534;
const tmp = mkdtempSync(join(tmpdir(), 'fexpod-dispatch-bench-'));
try {
  chmodSync(tmp, 0o755);
  const bin = join(tmp, 'bin');
  mkdirSync(bin);
  for (const name of ['muvm', 'FEX', 'FEXServer']) writeFileSync(join(bin, name), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const home = join(tmp, 'home');
  mkdirSync(join(home, '.config', 'fex-emu'), { recursive: true });
  mkdirSync(join(home, '.local', 'share', 'fex-emu', 'RootFS'), { recursive: true });
  writeFileSync(join(home, '.config', 'fex-emu', 'Config.json'), JSON.stringify({ Config: { RootFS: 'B.erofs' } }));
  writeFileSync(join(home, '.local', 'share', 'fex-emu', 'RootFS', 'B.erofs'), '');
  const facts = join(tmp, 'facts.json');
  writeFileSync(facts, JSON.stringify({ testOnly: HOST_OVERRIDE_MARKER, arch: 'aarch64', pageSize: 16384, kvm: 'usable' }));
  const dispatcher = join(tmp, 'fexpod-dispatch');
  writeFileSync(dispatcher, dispatcherScript(process.execPath, join(repoRoot(), 'dist', 'hook', 'emulator', 'microvm', 'dispatch-main.js')), { mode: 0o755 });
  const prog = join(tmp, 'prog');
  writeFileSync(prog, 'x86 program stand-in\n', { mode: 0o755 });
  const env = { PATH: `${bin}:/usr/bin:/bin`, HOME: home, [HOST_OVERRIDE_ENV]: facts };

  const time = (file: string, args: string[]) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(file, args, { stdio: 'ignore', env, uid: NOBODY, gid: NOBODY });
    const dt = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${file} exited ${r.status ?? r.signal}`);
    return dt;
  };
  const viaDispatcher = () => time(dispatcher, [prog, 'prog', '--flag']);
  const byHand = () => time(join(bin, 'muvm'), ['-i', '--', 'FEX', prog, '--flag']);
  const nodeAlone = () => time(process.execPath, ['-e', '0']);
  const a: number[] = [];
  const b: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < 5; i++) (viaDispatcher(), byHand(), nodeAlone());
  for (let i = 0; i < RUNS; i++) {
    if (i % 2 === 0) (a.push(viaDispatcher()), b.push(byHand()), c.push(nodeAlone()));
    else (c.push(nodeAlone()), b.push(byHand()), a.push(viaDispatcher()));
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((x, y) => x - y);
    const m = s.length >> 1;
    return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
  };
  const ma = median(a);
  const mb = median(b);
  process.stdout.write(
    `dispatch: ${RUNS} interleaved runs each, muvm and FEX are do-nothing stand-ins\n` +
      `  via fexpod's dispatcher (as binfmt_misc starts it): median ${ma.toFixed(1)} ms\n` +
      `  muvm -i -- FEX prog (by hand):                     median ${mb.toFixed(1)} ms\n` +
      `  node -e 0 (Node's own start-up, for scale):         median ${median(c).toFixed(1)} ms\n` +
      `  the dispatcher adds ${(ma - mb).toFixed(1)} ms per program start (ratio ${(ma / mb).toFixed(1)} against a muvm that does nothing)\n`,
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
