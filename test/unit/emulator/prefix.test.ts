import { test } from 'node:test';
import assert from 'node:assert/strict';
import { posix } from 'node:path';
import { parseElf } from '../../../src/common/elf.js';
import { loadLdSoConfDirs, parseLdSoConf, defaultLibraryDirs } from '../../../src/common/ld-so-conf.js';
import { resolveClosure } from '../../../src/emulator/prefix/library-closure.js';
import { sha256Hex } from '../../../src/common/hash.js';
import { planPrefix, patchCommands, stagePrefix, PREFIX_MANIFEST, type PrefixDeps } from '../../../src/emulator/prefix/emulator-prefix.js';
import { Arch } from '../../../src/common/arch.js';
import { buildElf } from './elf-builder.js';
import { FakeFs, type FakeNode } from './fake-fs.js';

const M = 0xb7;
const lib = (soname: string, needed: string[] = [], runpath?: string): FakeNode => ({
  bytes: buildElf({ machine: M, dynamic: { soname, needed, ...(runpath ? { runpath } : {}) } }),
});

/** A Fedora-shaped aarch64 host: FEX + FEXServer with a small library closure. */
function fedora(): FakeFs {
  return new FakeFs({
    '/usr/bin/FEX': { bytes: buildElf({ machine: M, interpreter: '/lib/ld-linux-aarch64.so.1', dynamic: { needed: ['libFEXCore.so', 'libstdc++.so.6', 'libc.so.6'], runpath: '$ORIGIN/../lib64/fex' } }), exec: true },
    '/usr/bin/FEXServer': { bytes: buildElf({ machine: M, interpreter: '/lib/ld-linux-aarch64.so.1', dynamic: { needed: ['libstdc++.so.6', 'libc.so.6'] } }), exec: true },
    '/usr/lib64/fex/libFEXCore.so': lib('libFEXCore.so', ['libm.so.6', 'libc.so.6']),
    '/lib': { link: 'usr/lib' },
    '/usr/lib/ld-linux-aarch64.so.1': { link: '../lib64/ld-linux-aarch64.so.1' },
    '/usr/lib64/ld-linux-aarch64.so.1': { bytes: buildElf({ machine: M, dynamic: { soname: 'ld-linux-aarch64.so.1' } }), exec: true },
    '/usr/lib64/libc.so.6': lib('libc.so.6', ['ld-linux-aarch64.so.1']),
    '/usr/lib64/libm.so.6': lib('libm.so.6', ['libc.so.6']),
    '/usr/lib64/libstdc++.so.6': { link: 'libstdc++.so.6.0.33' },
    '/usr/lib64/libstdc++.so.6.0.33': lib('libstdc++.so.6', ['libm.so.6', 'libc.so.6', 'libgcc_s.so.1']),
    // An x86-64 libgcc_s earlier on the search path must be skipped, like the loader does.
    '/opt/x86/libgcc_s.so.1': { bytes: buildElf({ machine: 0x3e, dynamic: { soname: 'libgcc_s.so.1' } }) },
    '/usr/lib64/libgcc_s.so.1': lib('libgcc_s.so.1', ['libc.so.6']),
    '/etc/ld.so.conf': { bytes: 'include ld.so.conf.d/*.conf\n' },
    '/etc/ld.so.conf.d/a.conf': { bytes: '# x86 libs for some reason\n/opt/x86\n' },
    '/etc/ld.so.conf.d/README': { bytes: '/not/included\n' },
  });
}

test('parseLdSoConf: dirs, includes, comments, hwcap, old separators', () => {
  assert.deepEqual(parseLdSoConf('include /etc/ld.so.conf.d/*.conf\n# c\n/usr/local/lib\nhwcap 0 nosegneg\n/a:/b,/c=libc5 /d/\n'), [
    { kind: 'include', value: '/etc/ld.so.conf.d/*.conf' },
    { kind: 'dir', value: '/usr/local/lib' },
    { kind: 'dir', value: '/a' },
    { kind: 'dir', value: '/b' },
    { kind: 'dir', value: '/c' },
    { kind: 'dir', value: '/d' },
  ]);
});

test('loadLdSoConfDirs: relative include glob, sorted, only matching names', async () => {
  const fs = fedora();
  fs.put('/etc/ld.so.conf.d/0.conf', '/first\n');
  const dirs = await loadLdSoConfDirs({ readText: async (p) => fs.text(p), listDir: async (p) => fs.list(p) });
  assert.deepEqual(dirs, ['/first', '/opt/x86']);
});

test('defaultLibraryDirs: multiarch and lib64 layouts', () => {
  assert.deepEqual(defaultLibraryDirs(Arch.of('aarch64')).slice(0, 3), ['/lib/aarch64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib64']);
  assert.ok(defaultLibraryDirs(Arch.of('arm')).includes('/usr/lib/arm-linux-gnueabihf'));
});

const closureDeps = (fs: FakeFs) => ({ readFile: async (p: string) => fs.read(p), realpath: async (p: string) => fs.resolve(p) });
const sysDirs = ['/opt/x86', ...defaultLibraryDirs(Arch.of('aarch64'))];

test('resolveClosure: RUNPATH with $ORIGIN, symlinked sonames, wrong-arch candidates skipped, loader once', async () => {
  const c = await resolveClosure({ binaries: [{ path: '/usr/bin/FEX', name: 'FEX' }, { path: '/usr/bin/FEXServer', name: 'FEXServer' }], systemDirs: sysDirs }, closureDeps(fedora()));
  assert.equal(c.loader?.name, 'ld-linux-aarch64.so.1');
  assert.equal(c.loader?.source, '/usr/lib64/ld-linux-aarch64.so.1');
  assert.deepEqual(
    c.libraries.map((l) => [l.name, l.source]),
    [
      ['libFEXCore.so', '/usr/lib64/fex/libFEXCore.so'],
      ['libc.so.6', '/usr/lib64/libc.so.6'],
      ['libgcc_s.so.1', '/usr/lib64/libgcc_s.so.1'],
      ['libm.so.6', '/usr/lib64/libm.so.6'],
      ['libstdc++.so.6', '/usr/lib64/libstdc++.so.6.0.33'],
    ],
  );
});

test('resolveClosure: a missing library names the needer and the fix', async () => {
  const fs = fedora();
  fs.files.delete('/usr/lib64/libm.so.6');
  await assert.rejects(
    resolveClosure({ binaries: [{ path: '/usr/bin/FEX', name: 'FEX' }], systemDirs: sysDirs }, closureDeps(fs)),
    (e: Error & { fix?: string }) => /libFEXCore\.so needs libm\.so\.6/.test(e.message) && /install the package/.test(e.fix ?? ''),
  );
});

test('planPrefix + patchCommands: modes, patches and a content digest', async () => {
  const c = await resolveClosure({ binaries: [{ path: '/usr/bin/FEX', name: 'FEX' }], systemDirs: sysDirs }, closureDeps(fedora()));
  const plan = planPrefix(c);
  assert.deepEqual(
    plan.files.map((f) => [f.path, f.mode.toString(8), f.patch]),
    [
      ['bin/FEX', '555', 'executable'],
      ['lib/ld-linux-aarch64.so.1', '555', 'none'],
      ['lib/libFEXCore.so', '444', 'library'],
      ['lib/libc.so.6', '444', 'library'],
      ['lib/libgcc_s.so.1', '444', 'library'],
      ['lib/libm.so.6', '444', 'library'],
      ['lib/libstdc++.so.6', '444', 'library'],
    ],
  );
  assert.match(plan.digest, /^[0-9a-f]{64}$/);
  const cmds = patchCommands(plan, '/P');
  assert.deepEqual(cmds[0], ['--set-interpreter', '/P/lib/ld-linux-aarch64.so.1', '--set-rpath', '/P/lib', '/P/bin/FEX']);
  assert.deepEqual(cmds[1], ['--set-rpath', '/P/lib', '/P/lib/libFEXCore.so']);
  // Same contents from different places → same digest; one changed byte → another.
  const fs2 = fedora();
  fs2.put('/usr/lib64/libm.so.6', buildElf({ machine: M, dynamic: { soname: 'libm.so.6', needed: ['libc.so.6', 'libgcc_s.so.1'] } }));
  const other = planPrefix(await resolveClosure({ binaries: [{ path: '/usr/bin/FEX', name: 'FEX' }], systemDirs: sysDirs }, closureDeps(fs2)));
  assert.notEqual(other.digest, plan.digest);
});

/** PrefixDeps over the fake fs; "patchelf" rewrites the ELF with buildElf. */
function prefixDeps(fs: FakeFs, log: string[] = []): PrefixDeps {
  let n = 0;
  return {
    ...closureDeps(fs),
    readText: async (p) => fs.text(p),
    listDir: async (p) => fs.list(p),
    exists: async (p) => fs.resolve(p) !== undefined,
    mkdir: async (p) => void fs.dirs.add(p),
    writeFile: async (p, data, mode) => fs.put(p, data, mode),
    chmod: async (p, mode) => {
      const f = fs.files.get(p);
      if (f) f.mode = mode;
    },
    chown: async (p, uid) => {
      const f = fs.files.get(p);
      if (f) f.uid = uid;
    },
    rename: async (from, to) => {
      log.push(`rename ${posix.basename(from)}`);
      if (fs.list(to)?.length) throw Object.assign(new Error('ENOTEMPTY'), { code: 'ENOTEMPTY' });
      for (const [k, v] of [...fs.files]) if (k.startsWith(from + '/')) fs.files.set(to + k.slice(from.length), v), fs.files.delete(k);
      for (const k of [...fs.dirs]) if (k === from || k.startsWith(from + '/')) fs.dirs.delete(k), fs.dirs.add(to + k.slice(from.length));
      fs.dirs.add(to);
    },
    removeTree: async (p) => {
      for (const k of [...fs.files.keys()]) if (k.startsWith(p + '/')) fs.files.delete(k);
      for (const k of [...fs.dirs]) if (k === p || k.startsWith(p + '/')) fs.dirs.delete(k);
    },
    patchelf: async (args) => {
      const target = args[args.length - 1] ?? '';
      log.push(`patchelf ${args.slice(0, -1).join(' ')}`);
      const elf = parseElf(fs.read(target) ?? new Uint8Array());
      const interp = args.includes('--set-interpreter') ? args[args.indexOf('--set-interpreter') + 1] : elf.interpreter;
      const runpath = args[args.indexOf('--set-rpath') + 1];
      fs.put(target, buildElf({ machine: elf.machine, ...(interp ? { interpreter: interp } : {}), dynamic: { needed: [...(elf.dynamic?.needed ?? [])], ...(runpath ? { runpath } : {}) } }));
    },
    getuid: () => 0,
    uniqueSuffix: () => `t${++n}`,
  };
}

test('stagePrefix: stages FEX + FEXServer, patches loader and RUNPATH, seals modes, reuses on second run', async () => {
  const fs = fedora();
  const log: string[] = [];
  const d = prefixDeps(fs, log);
  const r = await stagePrefix('/usr/bin/FEX', { stateDir: '/var/lib/fexpod', extraBinaries: ['/usr/bin/FEXServer'] }, d);
  assert.equal(r.static, false);
  assert.equal(r.prefix, `/var/lib/fexpod/prefix/${r.digest}`);
  assert.equal(r.interpreter, `${r.prefix}/bin/FEX`);
  assert.deepEqual(r.extra, { FEXServer: `${r.prefix}/bin/FEXServer` });
  const fex = parseElf(fs.read(r.interpreter) ?? new Uint8Array());
  assert.equal(fex.interpreter, `${r.prefix}/lib/ld-linux-aarch64.so.1`);
  assert.deepEqual(fex.dynamic?.runpath, [`${r.prefix}/lib`]);
  assert.equal(fs.files.get(`${r.prefix}/lib/libc.so.6`)?.mode, 0o444);
  assert.equal(fs.files.get(`${r.prefix}/bin/FEXServer`)?.mode, 0o555);
  assert.equal(fs.files.get(`${r.prefix}/lib/libc.so.6`)?.uid, 0);
  assert.ok(fs.read(`${r.prefix}/${PREFIX_MANIFEST}`));
  assert.ok(![...fs.files.keys()].some((k) => k.includes('.staging-')), 'temp dir removed');
  const patches = log.filter((l) => l.startsWith('patchelf')).length;
  const again = await stagePrefix('/usr/bin/FEX', { stateDir: '/var/lib/fexpod', extraBinaries: ['/usr/bin/FEXServer'] }, d);
  assert.deepEqual(again, r);
  assert.equal(log.filter((l) => l.startsWith('patchelf')).length, patches, 'second run reuses, patches nothing');
});

const damages = [
  { name: 'a staged library changed in place', damage: (fs: FakeFs, prefix: string) => fs.put(`${prefix}/lib/libc.so.6`, 'not the library', 0o444) },
  { name: 'a staged file went missing', damage: (fs: FakeFs, prefix: string) => void fs.files.delete(`${prefix}/bin/FEXServer`) },
  { name: 'the manifest names other sources', damage: (fs: FakeFs, prefix: string) => fs.put(`${prefix}/${PREFIX_MANIFEST}`, (fs.text(`${prefix}/${PREFIX_MANIFEST}`) ?? '').replace(/"sourceSha256": "[0-9a-f]/, '"sourceSha256": "x'), 0o444) },
];
for (const c of damages) {
  test(`stagePrefix: ${c.name} → the prefix is staged again and swapped in, nothing left beside it`, async () => {
    const fs = fedora();
    const log: string[] = [];
    const d = prefixDeps(fs, log);
    const opts = { stateDir: '/var/lib/fexpod', extraBinaries: ['/usr/bin/FEXServer'] };
    const r = await stagePrefix('/usr/bin/FEX', opts, d);
    const prefix = r.prefix ?? assert.fail('no prefix');
    const good = new Map([...fs.files].filter(([k]) => k.startsWith(`${prefix}/`)).map(([k, v]) => [k, sha256Hex(v.bytes)]));
    c.damage(fs, prefix);
    const patches = log.filter((l) => l.startsWith('patchelf')).length;
    const again = await stagePrefix('/usr/bin/FEX', opts, d);
    assert.deepEqual(again, r, 'the same content-addressed prefix');
    assert.ok(log.filter((l) => l.startsWith('patchelf')).length > patches, 'staged again');
    assert.deepEqual(new Map([...fs.files].filter(([k]) => k.startsWith(`${prefix}/`)).map(([k, v]) => [k, sha256Hex(v.bytes)])), good, 'every file as first staged');
    assert.deepEqual(fs.list('/var/lib/fexpod/prefix'), [r.digest], 'no .staging- or .damaged- directory left');
    const third = log.length;
    await stagePrefix('/usr/bin/FEX', opts, d);
    assert.equal(log.length, third, 'intact again: reused');
  });
}

test('stagePrefix: losing a concurrent race reuses the winner and removes its own temp dir', async () => {
  const fs = fedora();
  const d = prefixDeps(fs);
  const first = await stagePrefix('/usr/bin/FEX', { stateDir: '/s' }, d);
  // Second stager checked before the first finished: pretend the manifest was not there yet.
  let checks = 0;
  const racing: PrefixDeps = { ...d, exists: async (p) => (p.endsWith(PREFIX_MANIFEST) && checks++ === 0 ? false : d.exists(p)) };
  const second = await stagePrefix('/usr/bin/FEX', { stateDir: '/s' }, racing);
  assert.equal(second.prefix, first.prefix);
  assert.ok(![...fs.files.keys()].some((k) => k.includes('.staging-')));
});

test('stagePrefix: a static emulator needs no prefix', async () => {
  const fs = new FakeFs({ '/usr/bin/qemu-x86_64-static': { bytes: buildElf({ machine: M, type: 2 }), exec: true } });
  const r = await stagePrefix('/usr/bin/qemu-x86_64-static', { stateDir: '/s' }, prefixDeps(fs));
  assert.deepEqual(r, { static: true, prefix: undefined, interpreter: '/usr/bin/qemu-x86_64-static', extra: {}, digest: undefined });
});

test('stagePrefix: the staged name can differ (Debian qemu "-binfmt-P" argv[0] convention)', async () => {
  const fs = fedora();
  const r = await stagePrefix('/usr/bin/FEX', { stateDir: '/s', name: 'x86_64-binfmt-P' }, prefixDeps(fs));
  assert.ok(r.interpreter.endsWith('/bin/x86_64-binfmt-P'));
});

test('stagePrefix: relative paths are refused (they would be baked into PT_INTERP)', async () => {
  await assert.rejects(stagePrefix('/usr/bin/FEX', { stateDir: 'state' }, prefixDeps(fedora())), /absolute paths/);
});
