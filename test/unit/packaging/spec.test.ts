/**
 * packaging/ stays in step with the code and with package-lock.json, without
 * building anything (test/integration/packaging/rpm.test.ts builds the RPM).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SaxesParser } from 'saxes';
import { DEFAULT_STATE_DIR, STATE_FILE_NAME } from '../../../src/emulator/binfmt/install-state.js';
import { DROP_IN_FILE, PRECREATE_HOOK_FILE, CREATE_RUNTIME_HOOK_FILE } from '../../../src/runtime-hook/install/hook-files.js';
import { UNIT_NAME } from '../../../src/setup/systemd-unit.js';
import { GUEST_INIT_NAME, guestInitCandidates } from '../../../src/emulator/microvm/guest-init.js';
import { ZLIB_WASM_URL } from '../../../src/builder/layer/zlib-wasm.js';
import { corpusDir, repoRoot } from '../../helpers/integration.js';

const root = repoRoot();
const read = (p: string) => readFileSync(join(root, p), 'utf8');
const spec = read('packaging/fexpod.spec');
const macro = (name: string) => new RegExp(`^%global ${name} (.+)$`, 'm').exec(spec)?.[1];

test('the spec\'s bundled(nodejs-…) block is the one package-lock.json gives (packaging/bundled-provides.mjs --check)', () => {
  const r = spawnSync(process.execPath, [join(root, 'packaging', 'bundled-provides.mjs'), '--check', join(root, 'packaging', 'fexpod.spec')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('every runtime dependency of package.json is declared bundled, and no development one is', () => {
  const pkg = JSON.parse(read('package.json'));
  const lock = JSON.parse(read('package-lock.json'));
  const provides = [...spec.matchAll(/^Provides:\s+bundled\(nodejs-(\S+)\) = (\S+)$/gm)].map((m) => `${m[1]}@${m[2]}`);
  for (const name of Object.keys(pkg.dependencies)) {
    assert.ok(provides.includes(`${name}@${lock.packages[`node_modules/${name}`].version}`), `${name} declared`);
  }
  for (const name of Object.keys(pkg.devDependencies)) {
    // A development dependency that a runtime one also needs is shipped (@types/node: dockerode's
    // protobufjs), and another version of it may be (tar-stream 2 under dockerode's tar-fs).
    const top = lock.packages[`node_modules/${name}`];
    if (top?.dev !== true) continue;
    assert.ok(!provides.includes(`${name}@${top.version}`), `${name} ${top.version} is not shipped`);
  }
});

test('the spec has the version of package.json', () => {
  assert.equal(/^Version:\s+(\S+)$/m.exec(spec)?.[1], JSON.parse(read('package.json')).version);
});

test('the spec installs the files at the paths the code uses', () => {
  assert.equal(macro('statedir')?.replace('%{_localstatedir}', '/var').replace('%{name}', 'fexpod'), DEFAULT_STATE_DIR);
  assert.ok(spec.includes(`--state %{statedir}/${STATE_FILE_NAME}`));
  for (const f of [PRECREATE_HOOK_FILE, DROP_IN_FILE, CREATE_RUNTIME_HOOK_FILE, UNIT_NAME]) assert.ok(spec.includes(f), `${f} in the spec`);
  // Every placeholder of the unit template is replaced by the spec's sed.
  for (const [p] of read('systemd/fexpod-binfmt.service.in').matchAll(/@[A-Z_]+@/g)) assert.ok(spec.includes(`s|${p}|`), `${p} replaced`);
});

test('the spec builds fexpod-guest-init with the distribution\'s flags and installs it where the installed application looks', () => {
  assert.match(spec, /^%\{build_cc\} .*%\{build_cflags\} .*native\/fexpod-guest-init\.c %\{\?build_ldflags\}$/m);
  assert.ok(spec.includes(`install -D -p -m 0755 native/${GUEST_INIT_NAME} %{buildroot}%{_libexecdir}/%{name}/${GUEST_INIT_NAME}`));
  assert.match(spec, /^%\{_libexecdir\}\/%\{name\}\/$/m, 'in %files');
  // The main package is arch-specific (a native program); only the SELinux subpackage is noarch.
  const buildArch = [...spec.matchAll(/^BuildArch:\s+(\S+)$/gm)];
  assert.equal(buildArch.length, 1);
  assert.ok((buildArch[0]?.index ?? 0) > spec.indexOf('%package selinux'), 'BuildArch: noarch only in %package selinux');
  // %{_libexecdir} = %{_prefix}/libexec and %{nodejs_sitelib} = %{_prefix}/lib/node_modules on Fedora.
  assert.ok(guestInitCandidates('/usr/lib/node_modules/fexpod/dist').includes(`/usr/libexec/fexpod/${GUEST_INIT_NAME}`));
});

test('the SELinux module labels the prefix directory the code stages into, with a type the doctor accepts', () => {
  const fc = read('packaging/selinux/fexpod.fc').split('\n').filter((l) => l && !l.startsWith('#'));
  assert.deepEqual(fc, [`${DEFAULT_STATE_DIR}/prefix(/.*)?\tgen_context(system_u:object_r:container_ro_file_t,s0)`]);
  assert.match(read('packaging/selinux/fexpod.te'), /type container_ro_file_t;/);
  assert.match(read('src/emulator/doctor/doctor-report.ts'), /container_ro_file_t/);
});

interface El { name: string; attrs: Record<string, string>; text: string; children: El[] }

function parseXml(text: string): El {
  const p = new SaxesParser();
  const top: El = { name: '#doc', attrs: {}, text: '', children: [] };
  const stack: El[] = [top];
  p.on('opentag', (t) => {
    const el: El = { name: t.name, attrs: Object.fromEntries(Object.entries(t.attributes).map(([k, v]) => [k, String(v)])), text: '', children: [] };
    stack[stack.length - 1]?.children.push(el);
    stack.push(el);
  });
  p.on('text', (s) => {
    const cur = stack[stack.length - 1];
    if (cur) cur.text += s;
  });
  p.on('closetag', () => void stack.pop());
  p.write(text).close();
  return top;
}

test('the comps snippet is a Fedora comps group (same elements as Fedora\'s own groups) with fexpod in x86-emulation', () => {
  const mine = parseXml(read('packaging/comps-x86-emulation.xml')).children[0];
  const fedora = parseXml(readFileSync(join(corpusDir(), 'comps-f41.xml.in'), 'utf8')).children[0];
  assert.equal(mine?.name, 'comps');
  const group = mine?.children.find((c) => c.name === 'group');
  const shape = (g: El | undefined) => g?.children.map((c) => c.name);
  assert.deepEqual(shape(group), shape(fedora?.children.find((c) => c.name === 'group')));
  assert.equal(group?.children.find((c) => c.name === 'id')?.text, 'x86-emulation');
  const reqs = group?.children.find((c) => c.name === 'packagelist')?.children ?? [];
  assert.ok(reqs.some((r) => r.text === 'fexpod' && r.attrs['arch'] === 'aarch64'));
  for (const r of reqs) assert.match(r.attrs['type'] ?? '', /^(mandatory|default|optional|conditional)$/);
});

test('the spec rebuilds the gzip encoder from the vendored zlib where the code loads it, and declares the bundled zlib at its version', () => {
  const vendored = /#define ZLIB_VERSION "([^"]+)"/.exec(read('native/zlib-wasm/zlib-1.3.1/zlib.h'))?.[1];
  assert.equal(vendored, '1.3.1');
  assert.match(spec, new RegExp(`^Provides:\\s+bundled\\(zlib\\) = ${vendored.replace(/\./g, '\\.')}$`, 'm'));
  assert.match(spec, /^BuildRequires:\s+clang$/m);
  assert.match(spec, /^BuildRequires:\s+lld$/m);
  // dist/native/zlib-deflate.wasm: where src/builder/layer/zlib-wasm.ts looks (ZLIB_WASM_URL), shipped with dist/
  assert.equal(fileURLToPath(ZLIB_WASM_URL), join(root, 'dist', 'native', 'zlib-deflate.wasm'));
  assert.match(spec, /^scripts\/build-zlib-wasm\.sh dist\/native\/zlib-deflate\.wasm$/m);
  assert.match(/^License:\s+(.+)$/m.exec(spec)?.[1] ?? '', /\bZlib\b/);
});
