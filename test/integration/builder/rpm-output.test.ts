/**
 * `fexpod build --format rpm` from a lock (the demo repository built with
 * rpmbuild and served over loopback): the RPM installs the EroFS image at
 * muvm's path, byte for byte; two builds in different directories, umask
 * 022/077 and TZ UTC/Asia/Tokyo give the same RPM bytes; rpm itself reads it
 * (rpm -qpl, -qpi, -K), installs it into a temporary root, and rpmlint with
 * Fedora's filters reports no errors. Debian's rpm is the oracle here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { integration, isRoot, onPath, repoRoot } from '../../helpers/integration.js';
import { buildTwiceApart, demoSetup, tempDir } from '../../helpers/demo-build.js';

const req = integration(onPath('rpmbuild'), onPath('createrepo_c'), onPath('mkfs.erofs'), onPath('rpm'), onPath('rpmlint'), isRoot());
const run = (cmd: string, args: readonly string[]) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, stdout: r.stdout ?? '' };
};

test('fexpod build --format rpm: the EroFS at /usr/share/fex-emu/RootFS, the same RPM bytes from one lock, and rpm reads, verifies and installs it', { ...req, timeout: 10 * 60_000 }, async (t) => {
  const demo = await demoSetup();
  const dirs = [tempDir('rpm-a'), tempDir('rpm-bb')] as const;
  try {
    const [a, b] = await buildTwiceApart(demo, dirs, (d) => ['--format', 'rpm', '-o', join(d, 'out')]);
    assert.ok(a && b);
    const rpmOf = (x: typeof a) => x.outputs.find((o) => o.kind === 'rpm') ?? assert.fail('no rpm output');
    const erofsOf = (x: typeof a) => x.outputs.find((o) => o.kind === 'erofs') ?? assert.fail('--format rpm writes the EroFS it packages');
    assert.equal(rpmOf(a).digest, rpmOf(b).digest, 'same lock, same RPM bytes');
    assert.equal(erofsOf(a).digest, erofsOf(b).digest);
    const rpm = rpmOf(a).path;
    const erofs = erofsOf(a).path;
    const target = `/usr/share/fex-emu/RootFS/${basename(erofs)}`;
    t.diagnostic(`${basename(rpm)}: ${rpmOf(a).digest}`);

    await t.test('rpm -qpl and -qpi: the image at muvm\'s path, a noarch package named after the definition', () => {
      const l = run('rpm', ['-qpl', rpm]);
      assert.equal(l.status, 0, l.out);
      assert.deepEqual(l.stdout.trim().split('\n'), ['/usr/share/fex-emu', '/usr/share/fex-emu/RootFS', target]);
      const i = run('rpm', ['-qpi', rpm]);
      assert.equal(i.status, 0, i.out);
      assert.match(i.stdout, /^Name\s+: demo$/m);
      assert.match(i.stdout, /^Architecture: noarch$/m);
      assert.match(i.stdout, /^Build Host\s+: fexpod$/m);
      const q = run('rpm', ['-qp', '--qf', '%{VERSION}-%{RELEASE} %{BUILDTIME} %{PAYLOADCOMPRESSOR}', rpm]);
      // Version: the definition's release; Release and build time: SOURCE_DATE_EPOCH.
      const m = /^(\S+)-(\d+) (\d+) gzip$/.exec(q.stdout) ?? assert.fail(q.stdout);
      assert.equal(m[2], m[3]);
    });

    await t.test('rpm -K: header and payload digests OK', () => {
      const k = run('rpm', ['-Kv', rpm]);
      assert.equal(k.status, 0, k.out);
      assert.match(k.out, /Header SHA256 digest: OK/);
      assert.match(k.out, /Payload SHA256 digest: OK/);
    });

    await t.test('rpm -i --root: installs, and the installed file is the EroFS output byte for byte', () => {
      const root = tempDir('rpm-root');
      try {
        const i = run('rpm', ['-i', '--root', root, rpm]);
        assert.equal(i.status, 0, i.out);
        assert.ok(readFileSync(join(root, target)).equals(readFileSync(erofs)));
        const v = run('rpm', ['-V', '--root', root, 'demo']);
        assert.equal(v.status, 0, `rpm -V: ${v.out}`);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });

    await t.test('rpmlint with Fedora\'s filters (packaging/rpmlint.toml): no errors', () => {
      const lint = run('rpmlint', ['-c', join(repoRoot(), 'packaging', 'rpmlint.toml'), rpm]);
      const summary = lint.stdout.split('\n').find((l) => / packages and \d+ specfiles checked/.test(l)) ?? '';
      t.diagnostic(summary);
      assert.match(summary, / 0 errors,/, lint.stdout);
      t.diagnostic(lint.stdout.split('\n').filter((l) => l.includes(': W: ')).join('\n'));
    });
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await demo.close();
  }
});
