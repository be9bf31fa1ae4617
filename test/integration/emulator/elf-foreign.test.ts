import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseElf } from '../../../src/common/elf.js';
import { debianPackages, foreignArches } from '../../helpers/foreign-image.js';
import { integration, onPath } from '../../helpers/integration.js';

// The 32-bit foreign guest of this host: armhf on x86_64, i386 on aarch64.
const guest32 = foreignArches().find((a) => a.bits === 32);

test(
  `parseElf: a real foreign 32-bit libc (Debian's libc6:${guest32?.debian ?? '?'})`,
  integration(onPath('apt-get'), onPath('dpkg-deb'), { what: 'a 32-bit foreign architecture', ok: guest32 !== undefined }),
  () => {
    if (!guest32) return;
    const [deb] = debianPackages(guest32, ['libc6']);
    assert.ok(deb);
    const out = mkdtempSync(join(tmpdir(), 'fexpod-elf-'));
    try {
      execFileSync('dpkg-deb', ['-x', deb, out]);
      const libc = execFileSync('find', [out, '-name', 'libc.so.6'], { encoding: 'utf8' }).trim().split('\n')[0];
      assert.ok(libc);
      const elf = parseElf(readFileSync(libc));
      assert.equal(elf.elfClass, 1);
      assert.equal(elf.machine, guest32.machine);
      assert.equal(elf.dynamic?.soname, 'libc.so.6');
      assert.ok(elf.dynamic?.needed.some((n) => n.startsWith('ld-linux')));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  },
);
