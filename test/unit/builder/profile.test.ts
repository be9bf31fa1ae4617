import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bufferContent, type TreeEntry } from '../../../src/builder/tree/tree.js';
import { applyProfile, normalizeProfile } from '../../../src/builder/profile/profile.js';
import { patternRegExp, relativeTarget, removeEntries } from '../../../src/builder/profile/profile-paths.js';
import { FexpodError } from '../../../src/common/errors.js';

const m = { uid: 0, gid: 0, mtime: 100 };
const d = (path: string, mode = 0o755): TreeEntry => ({ path, type: 'dir', mode, ...m });
const f = (path: string, body = path, mode = 0o644): TreeEntry => ({ path, type: 'file', mode, ...m, content: bufferContent(Buffer.from(body)) });
const l = (path: string, linkTarget: string): TreeEntry => ({ path, type: 'symlink', mode: 0o777, ...m, linkTarget });
const ctx = { sourceDateEpoch: 1000, ldSoCache: () => Buffer.from('ld.so-1.7.0') };
const paths = (es: readonly TreeEntry[]) => es.map((e) => e.path).sort();

const fedoraish: TreeEntry[] = [
  d('etc'), f('etc/passwd'), f('etc/passwd-'), f('etc/group'), f('etc/shadow'), f('etc/hosts'), f('etc/resolv.conf'),
  f('etc/machine-id'), f('etc/os-release'), d('etc/alternatives'), l('etc/alternatives/ld', '/usr/bin/ld.bfd'),
  f('etc/ld.so.conf'), d('etc/ld.so.conf.d'), f('etc/ld.so.conf.d/x.conf'), d('etc/pki'), f('etc/pki/ca.pem'),
  d('usr'), d('usr/bin'), f('usr/bin/su', 'su', 0o4755), f('usr/bin/write', 'w', 0o2755), f('usr/bin/ls', 'ls', 0o755),
  d('tmp', 0o1777), d('root', 0o550), f('root/.bashrc'), d('var'), d('var/tmp', 0o1777), l('var/run', '../run'),
  d('var/lib'), d('var/lib/dbus'), f('var/lib/dbus/machine-id'), d('run'), d('boot'), d('home'), d('proc', 0o555),
];

test('rootfs: removes host-owned files, trims /etc to alternatives + ld.so*, strips setid, adds ld.so.cache', async () => {
  const spec = normalizeProfile({ kind: 'rootfs', options: {} });
  const r = await applyProfile(fedoraish, spec, ctx);
  assert.deepEqual(paths(r.entries), [
    'etc', 'etc/alternatives', 'etc/alternatives/ld', 'etc/ld.so.cache', 'etc/ld.so.conf', 'etc/ld.so.conf.d', 'etc/ld.so.conf.d/x.conf',
    'proc', 'usr', 'usr/bin', 'usr/bin/ls', 'usr/bin/su', 'usr/bin/write', 'var', 'var/lib', 'var/lib/dbus',
  ]);
  const mode = (p: string) => r.entries.find((e) => e.path === p)?.mode;
  assert.equal(mode('usr/bin/su'), 0o755);
  assert.equal(mode('usr/bin/write'), 0o755);
  assert.equal(mode('proc'), 0o555);
  const cache = r.entries.find((e) => e.path === 'etc/ld.so.cache');
  assert.equal(Buffer.from((await cache?.content?.read()) ?? []).toString(), 'ld.so-1.7.0');
  assert.equal(cache?.mtime, 1000);
});

test('rootfs: the C library\'s locales stay (usr/lib/locale: C.utf8, locale-archive), so a guest under LANG=C.UTF-8 reads the RootFS\'s and not the host\'s', async () => {
  const locales = [d('usr'), d('usr/lib'), d('usr/lib/locale'), d('usr/lib/locale/C.utf8'), f('usr/lib/locale/C.utf8/LC_CTYPE'), f('usr/lib/locale/locale-archive'), d('usr/share'), d('usr/share/locale'), f('usr/share/locale/de/x.mo')];
  const r = await applyProfile(locales, normalizeProfile({ kind: 'rootfs', options: {} }), ctx);
  for (const e of locales) assert.ok(r.entries.some((x) => x.path === e.path), `${e.path} kept`);
});

const optionCases = [
  { name: 'strip_setid = false keeps the bits', opts: { strip_setid: false }, path: 'usr/bin/su', present: true, mode: 0o4755 },
  { name: 'extra_remove adds to the defaults', opts: { extra_remove: ['usr/bin/ls'] }, path: 'usr/bin/ls', present: false },
  { name: 'etc_keep replaces the kept /etc list', opts: { etc_keep: ['pki'] }, path: 'etc/pki/ca.pem', present: true },
  { name: 'remove replaces the default list', opts: { remove: [] }, path: 'home', present: true },
];
for (const c of optionCases) {
  test(`rootfs option: ${c.name}`, async () => {
    const r = await applyProfile(fedoraish, normalizeProfile({ kind: 'rootfs', options: c.opts }), ctx);
    const e = r.entries.find((x) => x.path === c.path);
    assert.equal(e !== undefined, c.present);
    if (c.mode !== undefined) assert.equal(e?.mode, c.mode);
  });
}

test('removing the first member of a hardlink set promotes the next one', () => {
  const es: TreeEntry[] = [d('a'), f('a/one', 'data'), { path: 'a/two', type: 'hardlink', mode: 0o644, ...m, linkTarget: 'a/one' }, { path: 'a/three', type: 'hardlink', mode: 0o644, ...m, linkTarget: 'a/one' }];
  const out = removeEntries(es, (e) => e.path === 'a/one');
  assert.equal(out.find((e) => e.path === 'a/two')?.type, 'file');
  assert.equal(out.find((e) => e.path === 'a/three')?.linkTarget, 'a/two');
});

const relCases = [
  { from: 'usr/lib64/libstdc++.so', to: 'usr/lib64/libstdc++.so.6', want: 'libstdc++.so.6' },
  { from: 'usr/lib/gcc/x86_64-redhat-linux/14/libgcc_s.so', to: 'usr/lib64/libgcc_s.so.1', want: '../../../../lib64/libgcc_s.so.1' },
  { from: 'bin', to: 'usr/bin', want: 'usr/bin' },
  { from: 'etc/alternatives/ld', to: 'usr/bin/ld.bfd', want: '../../usr/bin/ld.bfd' },
];
for (const c of relCases) test(`relative symlink ${c.from} -> /${c.to}`, () => assert.equal(relativeTarget(c.from, c.to), c.want));

test('patterns match within one segment', () => {
  assert.ok(patternRegExp('etc/passwd*').test('etc/passwd-'));
  assert.ok(!patternRegExp('usr/lib/gcc/*/crtbegin.o').test('usr/lib/gcc/x/14/crtbegin.o'));
  assert.ok(patternRegExp('usr/lib/gcc/*/*/crtbegin.o').test('usr/lib/gcc/x86_64-redhat-linux/14/crtbegin.o'));
});

const sysroot: TreeEntry[] = [
  d('usr'), d('usr/include'), f('usr/include/stdio.h'), d('usr/lib64'), f('usr/lib64/crt1.o'), f('usr/lib64/libstdc++.so.6'),
  l('usr/lib64/libgcc_s.so', '/usr/lib64/libgcc_s.so.1'), f('usr/lib64/libgcc_s.so.1'),
  d('usr/lib'), d('usr/lib/gcc'), d('usr/lib/gcc/x86_64-redhat-linux'), d('usr/lib/gcc/x86_64-redhat-linux/14'),
  f('usr/lib/gcc/x86_64-redhat-linux/14/crtbegin.o'), d('usr/share'), d('usr/share/doc'), f('usr/share/doc/README'),
];

test('sysroot: absolute symlinks become relative, libstdc++.so link added, docs dropped', async () => {
  const r = await applyProfile(sysroot, normalizeProfile({ kind: 'sysroot', options: {} }), ctx);
  assert.equal(r.entries.find((e) => e.path === 'usr/lib64/libgcc_s.so')?.linkTarget, 'libgcc_s.so.1');
  assert.equal(r.entries.find((e) => e.path === 'usr/lib64/libstdc++.so')?.linkTarget, 'libstdc++.so.6');
  assert.equal(r.entries.find((e) => e.path === 'usr/lib/libstdc++.so'), undefined, 'no i686 libstdc++ here: no link');
  assert.ok(!r.entries.some((e) => e.path.startsWith('usr/share/doc')));
  assert.ok(r.entries.every((e) => e.type !== 'symlink' || !e.linkTarget?.startsWith('/')));
});

test('sysroot: a missing crtbegin.o fails the build with the package to add', async () => {
  const without = sysroot.filter((e) => !e.path.endsWith('crtbegin.o'));
  await assert.rejects(applyProfile(without, normalizeProfile({ kind: 'sysroot', options: {} }), ctx), (e: unknown) => e instanceof FexpodError && /crtbegin\.o/.test(e.message) && /gcc/.test(e.fix ?? ''));
});

test('overlay: keeps only new or changed entries and their parent dirs', async () => {
  const baseSpec = normalizeProfile({ kind: 'rootfs', options: {} });
  const base = (await applyProfile(fedoraish, baseSpec, ctx)).entries;
  const combined: TreeEntry[] = [
    ...fedoraish.filter((e) => e.path !== 'usr/bin/ls'),
    f('usr/bin/ls', 'ls v2', 0o755),
    d('usr/lib64'), d('usr/lib64/dri'), f('usr/lib64/dri/radeonsi_dri.so', 'mesa'),
  ];
  const ovl = { sourceDateEpoch: 1000, base, ldSoCache: () => Buffer.from('ld.so-with-mesa') };
  const r = await applyProfile(combined, normalizeProfile({ kind: 'overlay', options: {} }), ovl);
  assert.deepEqual(paths(r.entries), ['etc', 'etc/ld.so.cache', 'usr', 'usr/bin', 'usr/bin/ls', 'usr/lib64', 'usr/lib64/dri', 'usr/lib64/dri/radeonsi_dri.so']);
});

test('overlay without a base tree is an error', async () => {
  await assert.rejects(applyProfile([], normalizeProfile({ kind: 'overlay', options: {} }), ctx), /needs the base tree/);
});
