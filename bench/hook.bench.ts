/**
 * What the Podman hook costs.
 *  1. Native containers: median `podman run --rm` of a native container with
 *     the precreate hook installed vs without it (target ratio ≤ 1.05).
 *     Runs alternate with and without, so that load drifts hit both sides.
 *  2. Foreign containers: the hook's own time on a real captured config
 *     (corpus rootful-arm64-uname.json pointed at a rootfs with a foreign ELF),
 *     against bare `node` startup, so the share of Node itself is visible.
 * Needs root and podman; prints figures, asserts nothing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Arch } from '../src/common/arch.js';
import { formatInstallState } from '../src/emulator/binfmt/install-state.js';
import { defaultHookScript } from '../src/runtime-hook/install/hook-command.js';
import { corpusDir } from '../test/helpers/integration.js';
import { elfHeader } from '../test/unit/runtime-hook/rootfs-fixture.js';

const repo = new URL('../../', import.meta.url).pathname;
const cli = join(repo, 'dist', 'src', 'cli.js');
const hookMain = defaultHookScript();
const corpus = corpusDir();
const RUNS = Number(process.env['FEXPOD_BENCH_RUNS'] ?? '15');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

function timed(cmd: string, args: string[], opts: { input?: Buffer; env?: NodeJS.ProcessEnv } = {}): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { input: opts.input, env: opts.env ?? process.env, stdio: ['pipe', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.toString()}`);
  return ms;
}

const dir = mkdtempSync(join(tmpdir(), 'fexpod-hook-bench-'));
try {
  const host = Arch.fromNode(process.arch);
  const canPodman = process.getuid?.() === 0 && spawnSync('podman', ['--version']).status === 0;

  // 2. The hook's own time, foreign path and native path, on a captured config.
  const guest = host.name === 'x86_64' ? Arch.of('aarch64') : Arch.of('x86_64');
  const root = join(dir, 'rootfs');
  mkdirSync(join(root, 'bin'), { recursive: true });
  writeFileSync(join(root, 'bin', 'uname'), elfHeader(guest));
  chmodSync(join(root, 'bin', 'uname'), 0o755);
  const nroot = join(dir, 'native-rootfs');
  mkdirSync(join(nroot, 'bin'), { recursive: true });
  writeFileSync(join(nroot, 'bin', 'uname'), elfHeader(host));
  chmodSync(join(nroot, 'bin', 'uname'), 0o755);
  const capture = readFileSync(join(corpus, 'podman-configs', 'rootful-arm64-uname.json'), 'utf8');
  const origRoot = JSON.stringify(JSON.parse(capture).root.path);
  const foreignCfg = Buffer.from(capture.replace(origRoot, JSON.stringify(root)));
  const nativeCfg = Buffer.from(capture.replace(origRoot, JSON.stringify(nroot)));
  // An entry that is present and enabled, so the hook only reads binfmt_misc (never writes it here).
  const present = readdirSync('/proc/sys/fs/binfmt_misc').find((n) => n !== 'register' && n !== 'status' && readFileSync(`/proc/sys/fs/binfmt_misc/${n}`, 'utf8').startsWith('enabled'));
  const state = join(dir, 'binfmt-state.json');
  const prefix = join(dir, 'prefix');
  mkdirSync(join(prefix, 'bin'), { recursive: true });
  writeFileSync(state, formatInstallState({
    version: 1,
    registrations: [{ guest: guest.name, emulator: 'qemu-user', entryName: present ?? 'fexpod-bench-none', registration: ':fexpod-bench-none:M::\\x7f:\\xff:/nonexistent:F', interpreter: `${prefix}/bin/qemu`, prefix }],
    disabled: [],
    persisted: [],
  }));
  const hookArgs = [hookMain, 'precreate', '--state', state, '--log', join(dir, 'hook.log')];
  const env = {};
  for (let i = 0; i < 3; i++) timed(process.execPath, hookArgs, { input: foreignCfg, env });
  const tNode: number[] = [];
  const tNative: number[] = [];
  const tForeign: number[] = [];
  for (let i = 0; i < 20; i++) {
    tNode.push(timed(process.execPath, ['-e', ''], { env }));
    tNative.push(timed(process.execPath, hookArgs, { input: nativeCfg, env }));
    tForeign.push(timed(process.execPath, hookArgs, { input: foreignCfg, env }));
  }
  const out = spawnSync(process.execPath, hookArgs, { input: foreignCfg, env: {} }).stdout.toString();
  const edited = out !== foreignCfg.toString();
  console.log(`hook process ${hookMain}, median of 20 (empty environment, as Podman runs it):`);
  console.log(`  bare node startup      ${median(tNode).toFixed(1)} ms`);
  console.log(`  hook, native config    ${median(tNative).toFixed(1)} ms  (+${(median(tNative) - median(tNode)).toFixed(1)} ms over bare node)`);
  console.log(`  hook, foreign config   ${median(tForeign).toFixed(1)} ms  (+${(median(tForeign) - median(tNode)).toFixed(1)} ms over bare node)${edited ? '' : '  [binfmt entry missing: spec not edited]'}`);
  console.log(`hook's added time for a foreign container: ${median(tForeign).toFixed(1)} ms`);

  // 1. podman run of a native container, with vs without the hook.
  if (!canPodman) {
    console.log('podman run comparison skipped: needs root and podman');
  } else {
    const img = `localhost/fexpod-hook-bench-native-${process.pid}:latest`; // unique: teammates may run this bench at the same time
    const ctr = join(dir, 'img');
    mkdirSync(join(ctr, 'bin'), { recursive: true });
    copyFileSync('/bin/busybox', join(ctr, 'bin', 'busybox'));
    execFileSync('tar', ['-C', ctr, '-cf', join(dir, 'img.tar'), '.']);
    execFileSync('podman', ['import', '--change', 'CMD=["/bin/busybox","true"]', join(dir, 'img.tar'), img], { stdio: 'ignore' });
    const hooks = join(dir, 'hooks.d');
    const none = join(dir, 'none.d');
    mkdirSync(none);
    execFileSync(process.execPath, [cli, 'hook', 'install', '--hooks-dir', hooks, '--conf-dir', join(dir, 'conf.d'), '--no-build-hook', '--state', state, '--log', join(dir, 'hook.log')], { stdio: 'ignore' });
    // The floor of any precreate hook: Podman's own hook machinery with /bin/cat as the hook.
    const cat = join(dir, 'cat.d');
    mkdirSync(cat);
    writeFileSync(join(cat, 'cat.json'), JSON.stringify({ version: '1.0.0', hook: { path: '/bin/cat', args: ['cat'] }, when: { always: true }, stages: ['precreate'] }));
    const run = (hd: string) => timed('podman', ['run', '--rm', '--hooks-dir', hd, img]);
    for (let i = 0; i < 3; i++) {
      run(none);
      run(hooks);
      run(cat);
    }
    const without: number[] = [];
    const withHook: number[] = [];
    const withCat: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      without.push(run(none));
      withHook.push(run(hooks));
      withCat.push(run(cat));
    }
    execFileSync('podman', ['rmi', '-f', img], { stdio: 'ignore' });
    const a = median(without);
    const b = median(withHook);
    console.log(`podman run --rm (native busybox), median of ${RUNS}, alternating:`);
    console.log(`  without hook  ${a.toFixed(1)} ms`);
    console.log(`  with hook     ${b.toFixed(1)} ms`);
    console.log(`  with /bin/cat as precreate hook (floor of any hook)  ${median(withCat).toFixed(1)} ms, ratio ${(median(withCat) / a).toFixed(3)}`);
    console.log(`  ratio with/without: ${(b / a).toFixed(3)} (target <= 1.05)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
