"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * packaging/ stays in step with the code and with package-lock.json, without
 * building anything (test/integration/packaging/rpm.test.ts builds the RPM).
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const saxes_1 = require("saxes");
const install_state_js_1 = require("../../../src/emulator/binfmt/install-state.js");
const hook_files_js_1 = require("../../../src/runtime-hook/install/hook-files.js");
const systemd_unit_js_1 = require("../../../src/setup/systemd-unit.js");
const integration_js_1 = require("../../helpers/integration.js");
const root = (0, integration_js_1.repoRoot)();
const read = (p) => (0, node_fs_1.readFileSync)((0, node_path_1.join)(root, p), 'utf8');
const spec = read('packaging/fexpod.spec');
const macro = (name) => new RegExp(`^%global ${name} (.+)$`, 'm').exec(spec)?.[1];
(0, node_test_1.test)('the spec\'s bundled(nodejs-…) block is the one package-lock.json gives (packaging/bundled-provides.mjs --check)', () => {
    const r = (0, node_child_process_1.spawnSync)(process.execPath, [(0, node_path_1.join)(root, 'packaging', 'bundled-provides.mjs'), '--check', (0, node_path_1.join)(root, 'packaging', 'fexpod.spec')], { encoding: 'utf8' });
    strict_1.default.equal(r.status, 0, r.stderr);
});
(0, node_test_1.test)('every runtime dependency of package.json is declared bundled, and no development one is', () => {
    const pkg = JSON.parse(read('package.json'));
    const lock = JSON.parse(read('package-lock.json'));
    const provides = [...spec.matchAll(/^Provides:\s+bundled\(nodejs-(\S+)\) = (\S+)$/gm)].map((m) => `${m[1]}@${m[2]}`);
    for (const name of Object.keys(pkg.dependencies)) {
        strict_1.default.ok(provides.includes(`${name}@${lock.packages[`node_modules/${name}`].version}`), `${name} declared`);
    }
    for (const name of Object.keys(pkg.devDependencies)) {
        // A development dependency that a runtime one also needs is shipped (@types/node: dockerode's
        // protobufjs), and another version of it may be (tar-stream 2 under dockerode's tar-fs).
        const top = lock.packages[`node_modules/${name}`];
        if (top?.dev !== true)
            continue;
        strict_1.default.ok(!provides.includes(`${name}@${top.version}`), `${name} ${top.version} is not shipped`);
    }
});
(0, node_test_1.test)('the spec has the version of package.json', () => {
    strict_1.default.equal(/^Version:\s+(\S+)$/m.exec(spec)?.[1], JSON.parse(read('package.json')).version);
});
(0, node_test_1.test)('the spec installs the files at the paths the code uses', () => {
    strict_1.default.equal(macro('statedir')?.replace('%{_localstatedir}', '/var').replace('%{name}', 'fexpod'), install_state_js_1.DEFAULT_STATE_DIR);
    strict_1.default.ok(spec.includes(`--state %{statedir}/${install_state_js_1.STATE_FILE_NAME}`));
    for (const f of [hook_files_js_1.PRECREATE_HOOK_FILE, hook_files_js_1.DROP_IN_FILE, hook_files_js_1.CREATE_RUNTIME_HOOK_FILE, systemd_unit_js_1.UNIT_NAME])
        strict_1.default.ok(spec.includes(f), `${f} in the spec`);
    // Every placeholder of the unit template is replaced by the spec's sed.
    for (const [p] of read('systemd/fexpod-binfmt.service.in').matchAll(/@[A-Z_]+@/g))
        strict_1.default.ok(spec.includes(`s|${p}|`), `${p} replaced`);
});
(0, node_test_1.test)('the SELinux module labels the prefix directory the code stages into, with a type the doctor accepts', () => {
    const fc = read('packaging/selinux/fexpod.fc').split('\n').filter((l) => l && !l.startsWith('#'));
    strict_1.default.deepEqual(fc, [`${install_state_js_1.DEFAULT_STATE_DIR}/prefix(/.*)?\tgen_context(system_u:object_r:container_ro_file_t,s0)`]);
    strict_1.default.match(read('packaging/selinux/fexpod.te'), /type container_ro_file_t;/);
    strict_1.default.match(read('src/emulator/doctor/doctor-report.ts'), /container_ro_file_t/);
});
function parseXml(text) {
    const p = new saxes_1.SaxesParser();
    const top = { name: '#doc', attrs: {}, text: '', children: [] };
    const stack = [top];
    p.on('opentag', (t) => {
        const el = { name: t.name, attrs: Object.fromEntries(Object.entries(t.attributes).map(([k, v]) => [k, String(v)])), text: '', children: [] };
        stack[stack.length - 1]?.children.push(el);
        stack.push(el);
    });
    p.on('text', (s) => {
        const cur = stack[stack.length - 1];
        if (cur)
            cur.text += s;
    });
    p.on('closetag', () => void stack.pop());
    p.write(text).close();
    return top;
}
(0, node_test_1.test)('the comps snippet is a Fedora comps group (same elements as Fedora\'s own groups) with fexpod in x86-emulation', () => {
    const mine = parseXml(read('packaging/comps-x86-emulation.xml')).children[0];
    const fedora = parseXml((0, node_fs_1.readFileSync)((0, node_path_1.join)((0, integration_js_1.corpusDir)(), 'comps-f41.xml.in'), 'utf8')).children[0];
    strict_1.default.equal(mine?.name, 'comps');
    const group = mine?.children.find((c) => c.name === 'group');
    const shape = (g) => g?.children.map((c) => c.name);
    strict_1.default.deepEqual(shape(group), shape(fedora?.children.find((c) => c.name === 'group')));
    strict_1.default.equal(group?.children.find((c) => c.name === 'id')?.text, 'x86-emulation');
    const reqs = group?.children.find((c) => c.name === 'packagelist')?.children ?? [];
    strict_1.default.ok(reqs.some((r) => r.text === 'fexpod' && r.attrs['arch'] === 'aarch64'));
    for (const r of reqs)
        strict_1.default.match(r.attrs['type'] ?? '', /^(mandatory|default|optional|conditional)$/);
});
