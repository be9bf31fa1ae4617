import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { archFilter, mergeComps, parseComps, type Comps } from '../../../src/builder/repo/comps.js';
import { expandGroups, UnknownGroupError } from '../../../src/builder/repo/groups.js';
import { MetadataError } from '../../../src/builder/repo/metadata-error.js';
import { corpusDir, repoRoot } from '../../helpers/integration.js';

const fixture = (name: string) => parseComps(readFileSync(join(repoRoot(), 'test', 'fixtures', 'comps', name), 'utf8'), name);
const TEST = fixture('comps-test.xml');
const EXTRA = fixture('comps-test-extra.xml');
const group = (c: Comps, id: string) => c.groups.find((g) => g.id === id);

test('parseComps: packagereq types (none = mandatory), requires, basearchonly, arch; untranslated name; environments', () => {
  const core = group(TEST, 'core');
  assert.equal(core?.name, 'Core', 'the <name> without xml:lang');
  assert.deepEqual(
    core?.packages.map((p) => [p.name, p.type, p.requires ?? '', p.basearchonly, p.arch ?? '']),
    [
      ['basesystem', 'mandatory', '', false, ''],
      ['glibc', 'mandatory', '', false, ''],
      ['setup', 'mandatory', '', false, ''],
      ['filesystem', 'default', '', false, ''],
      ['kernel', 'optional', '', false, ''],
      ['no-such-package', 'default', '', false, ''],
      ['dwm', 'mandatory', '', false, 'aarch64'],
      ['lame', 'mandatory', '', false, 'aarch64,x86_64'],
      ['wget', 'mandatory', '', true, ''],
      ['http-parser', 'conditional', 'wget', false, ''],
      ['nodejs-docs', 'conditional', 'nodejs', false, ''],
    ],
  );
  assert.deepEqual(TEST.environments, [{ id: 'minimal-environment', name: 'Minimal Install', groups: [{ id: 'core', arch: undefined }], options: [{ id: 'audio', arch: undefined }], arch: undefined }]);
});

test('archFilter keeps what the primary arch may have (pungi, libcomps arch_filter)', () => {
  const x86 = archFilter(TEST, 'x86_64');
  assert.deepEqual(x86.groups.map((g) => g.id), ['core', 'audio']);
  assert.ok(!group(x86, 'core')?.packages.some((p) => p.name === 'dwm'));
  assert.ok(group(x86, 'core')?.packages.some((p) => p.name === 'lame'));
  const arm = archFilter(TEST, 'aarch64');
  assert.deepEqual(arm.groups.map((g) => g.id), ['core', 'audio', 'arm-tools']);
  assert.ok(group(arm, 'core')?.packages.some((p) => p.name === 'dwm'));
});

test('mergeComps: a later repository replaces a group package in place and adds the rest (libcomps union)', () => {
  const merged = mergeComps([TEST, EXTRA]);
  assert.deepEqual(merged.groups.map((g) => g.id), ['core', 'audio', 'arm-tools', 'build']);
  assert.deepEqual(group(merged, 'audio')?.packages.map((p) => `${p.name}:${p.type}`), ['flac:default', 'abcde:default', 'lame:default', 'ninja-build:mandatory']);
  assert.deepEqual(mergeComps([EXTRA, TEST]).groups.find((g) => g.id === 'audio')?.packages.map((p) => `${p.name}:${p.type}`), ['abcde:optional', 'ninja-build:mandatory', 'flac:default', 'lame:default']);
});

const comps = archFilter(mergeComps([TEST, EXTRA]), 'x86_64');
const expandCases = [
  { name: 'a group by id: mandatory + default, not optional; conditional apart', specs: ['@core', 'bash'], packages: ['basesystem', 'glibc', 'setup', 'filesystem', 'no-such-package', 'lame', 'wget'], conditional: ['http-parser if wget', 'nodejs-docs if nodejs'], groups: [['@core', 'core']] },
  { name: 'a group by its name', specs: ['@Audio Production'], packages: ['flac', 'abcde', 'lame', 'ninja-build'], conditional: [], groups: [['@Audio Production', 'audio']] },
  { name: 'a case-insensitive glob', specs: ['@AUD*'], packages: ['flac', 'abcde', 'lame', 'ninja-build'], conditional: [], groups: [['@AUD*', 'audio']] },
  { name: 'an environment installs its grouplist, not its optionlist', specs: ['@minimal-environment'], packages: ['basesystem', 'glibc', 'setup', 'filesystem', 'no-such-package', 'lame', 'wget'], conditional: ['http-parser if wget', 'nodejs-docs if nodejs'], groups: [['@minimal-environment', 'core']] },
];
for (const c of expandCases) {
  test(`expandGroups: ${c.name}`, () => {
    const e = expandGroups(c.specs, comps, ['a', 'b'], []);
    assert.deepEqual(e.specs, c.specs.filter((s) => !s.startsWith('@')));
    assert.deepEqual(e.packages.map((p) => p.name), c.packages);
    assert.deepEqual(e.conditional.map((p) => `${p.name} if ${p.requires}`), c.conditional);
    assert.deepEqual(e.groups.map((g) => [g.spec, ...g.groups]), c.groups);
  });
}

test('expandGroups: basearchonly is kept, unless another group lists the package for every arch (as dnf)', () => {
  const one = expandGroups(['@core'], comps, ['a'], []);
  assert.equal(one.packages.find((p) => p.name === 'wget')?.basearchonly, true);
  const other: Comps = { groups: [{ id: 'net', name: 'Net', arch: undefined, packages: [{ name: 'wget', type: 'default', requires: undefined, basearchonly: false, arch: undefined }] }], environments: [] };
  const both = expandGroups(['@core', '@net'], mergeComps([comps, other]), ['a'], []);
  assert.equal(both.packages.find((p) => p.name === 'wget')?.basearchonly, false);
});

test('an unknown group names itself and the repositories searched', () => {
  assert.throws(
    () => expandGroups(['glibc', '@x86-emulation'], comps, ['fedora', 'updates', 'local'], ['local']),
    (e: unknown) =>
      e instanceof UnknownGroupError &&
      e.message === 'no group or environment matches "@x86-emulation" in the comps of repositories fedora, updates, local (local has no group metadata)' &&
      e.exitCode === 3 &&
      /dnf group list --ids/.test(e.fix ?? ''),
  );
});

const malformed = [
  { name: 'not comps', xml: '<?xml version="1.0"?><repomd/>', msg: /is not a comps document \(root <repomd>\)/ },
  { name: 'a group without id', xml: '<comps><group><name>X</name></group></comps>', msg: /<group> at line 1 has no <id>/ },
  { name: 'broken XML', xml: '<comps><group>', msg: /is not valid XML/ },
];
for (const c of malformed) {
  test(`parseComps refuses ${c.name} clearly`, () => {
    assert.throws(() => parseComps(c.xml, 'repo group metadata'), (e: unknown) => e instanceof MetadataError && c.msg.test(e.message));
  });
}

test("Fedora 41's real comps parse (fedora-comps source: _name is the untranslated name)", () => {
  const text = readFileSync(join(corpusDir(), 'comps-f41.xml.in'), 'utf8').replace(/<(\/?)_(name|description)>/g, '<$1$2>');
  const f41 = parseComps(text, 'comps-f41.xml');
  const core = group(archFilter(f41, 'x86_64'), 'core');
  assert.equal(core?.name, 'Core');
  assert.ok(core?.packages.some((p) => p.name === 'bash' && p.type === 'mandatory'));
  assert.ok(group(f41, 'core')?.packages.some((p) => p.name === 's390utils-base' && p.arch === 's390x'));
  assert.ok(!core?.packages.some((p) => p.name === 's390utils-base'), 'the s390x-only package is not for x86_64');
  assert.ok(f41.groups.some((g) => g.packages.some((p) => p.type === 'conditional' && p.requires === 'gimp')));
  assert.throws(() => expandGroups(['@x86-emulation'], f41, ['fedora'], []), UnknownGroupError);
});
