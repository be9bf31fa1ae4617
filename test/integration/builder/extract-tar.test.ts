/**
 * The deterministic tar writer checked by the tools that read layers: GNU tar
 * (listing, and extraction as root with xattrs + getfattr) and Python's
 * tarfile (stdlib), which parses pax SCHILY.xattr records.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { tarChunks } from '../../../src/builder/layer/tar-writer.js';
import { fileExists, integration, isRoot, onPath } from '../../helpers/integration.js';
import { sampleTree } from '../../unit/builder/tar-sample.js';

async function writeSampleTar(dir: string): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const c of tarChunks(sampleTree(), { sourceDateEpoch: 1_700_000_000 })) parts.push(c);
  const file = join(dir, 'layer.tar');
  writeFileSync(file, Buffer.concat(parts));
  return file;
}

function run(cmd: string, args: string[], cwd?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd, env: { ...process.env, LC_ALL: 'C.UTF-8', TZ: 'UTC' } });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('GNU tar lists the tree with numeric owners, links, devices and xattrs', integration(onPath('tar')), async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-tar-'));
  try {
    const out = run('tar', ['--xattrs', '--xattrs-include=*', '--numeric-owner', '-tvvf', await writeSampleTar(dir)]);
    assert.match(out, /^-rwsr-xr-x  0\/0 +2 2023-11-14 22:13 usr\/bin\/su$/m);
    assert.match(out, /^lrwxrwxrwx  0\/0 +0 .* usr\/bin\/sh -> bash$/m);
    assert.match(out, /^hrwxr-xr-x  0\/0 +0 .* usr\/bin\/zz-link link to usr\/bin\/aa-link$/m);
    assert.match(out, /^crw-rw-rw-  0\/0 +1,3 .* dev\/null$/m);
    assert.match(out, /^-rw-r--r--  42\/43 +700 1970-01-01 00:16 usr\/share\/d{60}\/f{80}\.txt$/m);
    assert.match(out, /usr\/share\/café$/m);
    assert.match(out, /^-rwxr-xr-x\* 0\/0 .* usr\/bin\/ping\n +x: +20 security\.capability$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('extracting as root restores the capability xattr byte for byte', integration(onPath('tar'), onPath('getfattr'), isRoot()), async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-tar-'));
  try {
    const file = await writeSampleTar(dir);
    run('mkdir', ['-p', join(dir, 'x')]);
    run('tar', ['--xattrs', '--xattrs-include=*', '--numeric-owner', '-xpf', file, '-C', join(dir, 'x')]);
    const out = run('getfattr', ['-n', 'security.capability', '-e', 'hex', join(dir, 'x/usr/bin/ping')]);
    assert.match(out, /security\.capability=0x0100000200200000000000000000000000000000/);
    const st = run('stat', ['-c', '%a %u %g %h %Y', join(dir, 'x/usr/bin/su'), join(dir, 'x/usr/bin/aa-link')]);
    assert.equal(st, '4755 0 0 1 1700000000\n755 0 0 2 1700000000\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const pyCheck = `
import sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    for m in t.getmembers():
        x = m.pax_headers.get('SCHILY.xattr.security.capability')
        print(m.name, m.type.decode(), oct(m.mode), m.uid, m.gid, repr(m.uname), m.mtime, m.linkname,
              x.encode('utf-8', 'surrogateescape').hex() if x is not None else '-')
`;

test('Python tarfile reads names, long paths and the binary pax xattr', integration(fileExists('/usr/bin/python3')), async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-tar-'));
  try {
    const file = await writeSampleTar(dir);
    writeFileSync(join(dir, 'check.py'), pyCheck);
    const out = run('/usr/bin/python3', [join(dir, 'check.py'), file]);
    assert.match(out, /^usr\/bin\/ping 0 0o755 0 0 '' 1700000000 {2}0100000200200000000000000000000000000000$/m);
    assert.match(out, new RegExp(`^usr/share/d{60}/f{80}\\.txt 0 0o644 42 43 '' 1000  -$`, 'm'));
    assert.match(out, new RegExp(`^usr/share/long-symlink 2 0o777 0 0 '' 1700000000 usr/share/d{60}/f{80}\\.txt -$`, 'm'));
    assert.match(out, /^usr\/share\/café 0 /m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
