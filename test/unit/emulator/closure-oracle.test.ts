/**
 * Oracle tests on this host's real files: the ELF parser against `readelf -d`
 * over a sample of system libraries, and the library closure against `ldd`
 * (the glibc loader's own answer) for a few trusted host binaries. Test-only
 * use of ldd: fexpod itself never runs it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Arch } from '../../../src/common/arch.js';
import { parseElf } from '../../../src/common/elf.js';
import { resolveClosure } from '../../../src/emulator/prefix/library-closure.js';
import { defaultLibraryDirs, loadLdSoConfDirs } from '../../../src/common/ld-so-conf.js';
import { nodePrefixDeps } from '../../../src/emulator/prefix/prefix-deps.js';
import { integration } from '../../helpers/integration.js';

const host = Arch.fromNode(process.arch);
const libDir = defaultLibraryDirs(host).find((d) => existsSync(d) && readdirSync(d).some((f) => f.includes('.so')));
const haveTools = (() => {
  try {
    execFileSync('readelf', ['--version'], { stdio: 'ignore' });
    execFileSync('ldd', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function readelfDynamic(path: string): { needed: string[]; soname?: string; runpath?: string; rpath?: string } {
  const out = execFileSync('readelf', ['-dW', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const pick = (tag: string) => [...out.matchAll(new RegExp(`\\(${tag}\\)\\s+\\S+(?: \\S+)*?: \\[([^\\]]*)\\]`, 'g'))].map((m) => m[1] ?? '');
  const r: { needed: string[]; soname?: string; runpath?: string; rpath?: string } = { needed: pick('NEEDED') };
  const [soname] = pick('SONAME');
  const [runpath] = pick('RUNPATH');
  const [rpath] = pick('RPATH');
  if (soname !== undefined) r.soname = soname;
  if (runpath !== undefined) r.runpath = runpath;
  if (rpath !== undefined) r.rpath = rpath;
  return r;
}

test('parseElf agrees with readelf -d on up to 150 system libraries', integration({ what: 'readelf and a system library dir', ok: Boolean(haveTools && libDir) }), () => {
  const files = readdirSync(libDir!)
    .filter((f) => /\.so(\.\d+)*$/.test(f))
    .map((f) => join(libDir!, f))
    .filter((p) => statSync(p).isFile())
    .sort()
    .slice(0, 150);
  let checked = 0;
  for (const p of files) {
    const bytes = readFileSync(p);
    if (bytes.subarray(0, 4).toString('latin1') !== '\x7fELF') continue; // linker scripts
    const elf = parseElf(bytes);
    const want = readelfDynamic(p);
    assert.deepEqual(elf.dynamic?.needed ?? [], want.needed, p);
    assert.equal(elf.dynamic?.soname, want.soname, p);
    assert.equal(elf.dynamic?.runpath?.join(':'), want.runpath || undefined, p);
    assert.equal(elf.dynamic?.rpath?.join(':'), want.rpath || undefined, p);
    checked++;
  }
  assert.ok(checked > 20, `only ${checked} libraries checked`);
});

function lddClosure(path: string): Map<string, string> {
  const out = execFileSync('ldd', [path], { encoding: 'utf8' });
  const m = new Map<string, string>();
  for (const line of out.split('\n')) {
    const hit = /^\s*(\S+) => (\/\S+) \(0x/.exec(line);
    if (hit && hit[1] && hit[2]) m.set(hit[1], realpathSync(hit[2]));
  }
  return m;
}

const binaries = ['/usr/bin/qemu-aarch64', '/usr/bin/qemu-x86_64', '/usr/bin/podman', '/usr/bin/patchelf', process.execPath].filter(
  (p, i, all) => existsSync(p) && all.indexOf(p) === i,
);

for (const bin of binaries) {
  test(`resolveClosure(${bin}) finds exactly the libraries ldd lists`, integration({ what: 'ldd', ok: Boolean(haveTools) }), async () => {
    const deps = nodePrefixDeps();
    const dirs = [...(await loadLdSoConfDirs(deps)), ...defaultLibraryDirs(host)];
    const c = await resolveClosure({ binaries: [{ path: bin, name: 'x' }], systemDirs: dirs }, deps);
    const ours = new Map(c.libraries.map((l) => [l.name, l.source]));
    const theirs = lddClosure(bin);
    assert.deepEqual([...ours.entries()].sort(), [...theirs.entries()].sort());
  });
}
