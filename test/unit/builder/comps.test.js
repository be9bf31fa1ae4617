"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const comps_js_1 = require("../../../src/builder/repo/comps.js");
const groups_js_1 = require("../../../src/builder/repo/groups.js");
const metadata_error_js_1 = require("../../../src/builder/repo/metadata-error.js");
const integration_js_1 = require("../../helpers/integration.js");
const fixture = (name) => (0, comps_js_1.parseComps)((0, node_fs_1.readFileSync)((0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'test', 'fixtures', 'comps', name), 'utf8'), name);
const TEST = fixture('comps-test.xml');
const EXTRA = fixture('comps-test-extra.xml');
const group = (c, id) => c.groups.find((g) => g.id === id);
(0, node_test_1.test)('parseComps: packagereq types (none = mandatory), requires, basearchonly, arch; untranslated name; environments', () => {
    const core = group(TEST, 'core');
    strict_1.default.equal(core?.name, 'Core', 'the <name> without xml:lang');
    strict_1.default.deepEqual(core?.packages.map((p) => [p.name, p.type, p.requires ?? '', p.basearchonly, p.arch ?? '']), [
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
    ]);
    strict_1.default.deepEqual(TEST.environments, [{ id: 'minimal-environment', name: 'Minimal Install', groups: [{ id: 'core', arch: undefined }], options: [{ id: 'audio', arch: undefined }], arch: undefined }]);
});
(0, node_test_1.test)('archFilter keeps what the primary arch may have (pungi, libcomps arch_filter)', () => {
    const x86 = (0, comps_js_1.archFilter)(TEST, 'x86_64');
    strict_1.default.deepEqual(x86.groups.map((g) => g.id), ['core', 'audio']);
    strict_1.default.ok(!group(x86, 'core')?.packages.some((p) => p.name === 'dwm'));
    strict_1.default.ok(group(x86, 'core')?.packages.some((p) => p.name === 'lame'));
    const arm = (0, comps_js_1.archFilter)(TEST, 'aarch64');
    strict_1.default.deepEqual(arm.groups.map((g) => g.id), ['core', 'audio', 'arm-tools']);
    strict_1.default.ok(group(arm, 'core')?.packages.some((p) => p.name === 'dwm'));
});
(0, node_test_1.test)('mergeComps: a later repository replaces a group package in place and adds the rest (libcomps union)', () => {
    const merged = (0, comps_js_1.mergeComps)([TEST, EXTRA]);
    strict_1.default.deepEqual(merged.groups.map((g) => g.id), ['core', 'audio', 'arm-tools', 'build']);
    strict_1.default.deepEqual(group(merged, 'audio')?.packages.map((p) => `${p.name}:${p.type}`), ['flac:default', 'abcde:default', 'lame:default', 'ninja-build:mandatory']);
    strict_1.default.deepEqual((0, comps_js_1.mergeComps)([EXTRA, TEST]).groups.find((g) => g.id === 'audio')?.packages.map((p) => `${p.name}:${p.type}`), ['abcde:optional', 'ninja-build:mandatory', 'flac:default', 'lame:default']);
});
const comps = (0, comps_js_1.archFilter)((0, comps_js_1.mergeComps)([TEST, EXTRA]), 'x86_64');
const expandCases = [
    { name: 'a group by id: mandatory + default, not optional; conditional apart', specs: ['@core', 'bash'], packages: ['basesystem', 'glibc', 'setup', 'filesystem', 'no-such-package', 'lame', 'wget'], conditional: ['http-parser if wget', 'nodejs-docs if nodejs'], groups: [['@core', 'core']] },
    { name: 'a group by its name', specs: ['@Audio Production'], packages: ['flac', 'abcde', 'lame', 'ninja-build'], conditional: [], groups: [['@Audio Production', 'audio']] },
    { name: 'a case-insensitive glob', specs: ['@AUD*'], packages: ['flac', 'abcde', 'lame', 'ninja-build'], conditional: [], groups: [['@AUD*', 'audio']] },
    { name: 'an environment installs its grouplist, not its optionlist', specs: ['@minimal-environment'], packages: ['basesystem', 'glibc', 'setup', 'filesystem', 'no-such-package', 'lame', 'wget'], conditional: ['http-parser if wget', 'nodejs-docs if nodejs'], groups: [['@minimal-environment', 'core']] },
];
for (const c of expandCases) {
    (0, node_test_1.test)(`expandGroups: ${c.name}`, () => {
        const e = (0, groups_js_1.expandGroups)(c.specs, comps, ['a', 'b'], []);
        strict_1.default.deepEqual(e.specs, c.specs.filter((s) => !s.startsWith('@')));
        strict_1.default.deepEqual(e.packages.map((p) => p.name), c.packages);
        strict_1.default.deepEqual(e.conditional.map((p) => `${p.name} if ${p.requires}`), c.conditional);
        strict_1.default.deepEqual(e.groups.map((g) => [g.spec, ...g.groups]), c.groups);
    });
}
(0, node_test_1.test)('expandGroups: basearchonly is kept, unless another group lists the package for every arch (as dnf)', () => {
    const one = (0, groups_js_1.expandGroups)(['@core'], comps, ['a'], []);
    strict_1.default.equal(one.packages.find((p) => p.name === 'wget')?.basearchonly, true);
    const other = { groups: [{ id: 'net', name: 'Net', arch: undefined, packages: [{ name: 'wget', type: 'default', requires: undefined, basearchonly: false, arch: undefined }] }], environments: [] };
    const both = (0, groups_js_1.expandGroups)(['@core', '@net'], (0, comps_js_1.mergeComps)([comps, other]), ['a'], []);
    strict_1.default.equal(both.packages.find((p) => p.name === 'wget')?.basearchonly, false);
});
(0, node_test_1.test)('an unknown group names itself and the repositories searched', () => {
    strict_1.default.throws(() => (0, groups_js_1.expandGroups)(['glibc', '@x86-emulation'], comps, ['fedora', 'updates', 'local'], ['local']), (e) => e instanceof groups_js_1.UnknownGroupError &&
        e.message === 'no group or environment matches "@x86-emulation" in the comps of repositories fedora, updates, local (local has no group metadata)' &&
        e.exitCode === 3 &&
        /dnf group list --ids/.test(e.fix ?? ''));
});
const malformed = [
    { name: 'not comps', xml: '<?xml version="1.0"?><repomd/>', msg: /is not a comps document \(root <repomd>\)/ },
    { name: 'a group without id', xml: '<comps><group><name>X</name></group></comps>', msg: /<group> at line 1 has no <id>/ },
    { name: 'broken XML', xml: '<comps><group>', msg: /is not valid XML/ },
];
for (const c of malformed) {
    (0, node_test_1.test)(`parseComps refuses ${c.name} clearly`, () => {
        strict_1.default.throws(() => (0, comps_js_1.parseComps)(c.xml, 'repo group metadata'), (e) => e instanceof metadata_error_js_1.MetadataError && c.msg.test(e.message));
    });
}
(0, node_test_1.test)("Fedora 41's real comps parse (fedora-comps source: _name is the untranslated name)", () => {
    const text = (0, node_fs_1.readFileSync)((0, node_path_1.join)((0, integration_js_1.corpusDir)(), 'comps-f41.xml.in'), 'utf8').replace(/<(\/?)_(name|description)>/g, '<$1$2>');
    const f41 = (0, comps_js_1.parseComps)(text, 'comps-f41.xml');
    const core = group((0, comps_js_1.archFilter)(f41, 'x86_64'), 'core');
    strict_1.default.equal(core?.name, 'Core');
    strict_1.default.ok(core?.packages.some((p) => p.name === 'bash' && p.type === 'mandatory'));
    strict_1.default.ok(group(f41, 'core')?.packages.some((p) => p.name === 's390utils-base' && p.arch === 's390x'));
    strict_1.default.ok(!core?.packages.some((p) => p.name === 's390utils-base'), 'the s390x-only package is not for x86_64');
    strict_1.default.ok(f41.groups.some((g) => g.packages.some((p) => p.type === 'conditional' && p.requires === 'gimp')));
    strict_1.default.throws(() => (0, groups_js_1.expandGroups)(['@x86-emulation'], f41, ['fedora'], []), groups_js_1.UnknownGroupError);
});
