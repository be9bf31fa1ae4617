"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const errors_js_1 = require("../../../src/common/errors.js");
const setup_journal_js_1 = require("../../../src/setup/setup-journal.js");
const systemd_unit_js_1 = require("../../../src/setup/systemd-unit.js");
const integration_js_1 = require("../../helpers/integration.js");
const TEMPLATE = (0, node_fs_1.readFileSync)((0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'systemd', 'fexpod-binfmt.service.in'), 'utf8');
const quoting = [
    { arg: '/usr/bin/fexpod', out: '/usr/bin/fexpod' },
    { arg: '--state-dir', out: '--state-dir' },
    { arg: '/opt/my tools/cli.js', out: '"/opt/my tools/cli.js"' },
    { arg: '/opt/100%/cli.js', out: '/opt/100%%/cli.js' },
    { arg: '/opt/$HOME/x', out: '"/opt/$$HOME/x"' },
    { arg: 'say "hi"\\', out: '"say \\"hi\\"\\\\"' },
];
for (const c of quoting) {
    (0, node_test_1.test)(`ExecStart quoting: ${c.arg}`, () => strict_1.default.equal((0, systemd_unit_js_1.systemdArg)(c.arg), c.out));
}
(0, node_test_1.test)('ExecStart needs an absolute program', () => {
    strict_1.default.throws(() => (0, systemd_unit_js_1.execStart)(['fexpod', 'binfmt', 'refresh']), /absolute/);
});
(0, node_test_1.test)('the rendered unit runs refresh after systemd-binfmt, restarts with it, and is wanted by it', () => {
    const text = (0, systemd_unit_js_1.renderUnit)(TEMPLATE, { argv: ['/usr/bin/node', '/opt/fexpod/dist/src/cli.js', 'binfmt', 'refresh'], stateDir: '/var/lib/fexpod', stateFile: '/var/lib/fexpod/binfmt-state.json' });
    const keys = text.split('\n').filter((l) => /^[A-Z]\w+=/.test(l));
    for (const want of [
        'After=systemd-binfmt.service local-fs.target',
        'PartOf=systemd-binfmt.service',
        'WantedBy=systemd-binfmt.service',
        'ConditionPathExists=/var/lib/fexpod/binfmt-state.json',
        'RequiresMountsFor=/var/lib/fexpod',
        'Type=oneshot',
        'RemainAfterExit=yes',
        'ExecStart=/usr/bin/node /opt/fexpod/dist/src/cli.js binfmt refresh',
    ])
        strict_1.default.ok(keys.includes(want), `${want} in\n${text}`);
    strict_1.default.doesNotMatch(text, /@[A-Z_]+@/);
});
(0, node_test_1.test)('a packaged unit is only enabled; otherwise the rendered one is written and enabled', () => {
    strict_1.default.deepEqual((0, systemd_unit_js_1.planUnit)({ vendorUnit: '/usr/lib/systemd/system/fexpod-binfmt.service', unitDir: '/etc/systemd/system', text: 'x' }), {
        write: undefined,
        wants: { path: '/etc/systemd/system/systemd-binfmt.service.wants/fexpod-binfmt.service', target: '/usr/lib/systemd/system/fexpod-binfmt.service' },
    });
    strict_1.default.deepEqual((0, systemd_unit_js_1.planUnit)({ vendorUnit: undefined, unitDir: '/etc/systemd/system', text: 'x' }), {
        write: { path: '/etc/systemd/system/fexpod-binfmt.service', text: 'x' },
        wants: { path: '/etc/systemd/system/systemd-binfmt.service.wants/fexpod-binfmt.service', target: '/etc/systemd/system/fexpod-binfmt.service' },
    });
});
const journals = [
    { name: 'not JSON', text: '{', key: '' },
    { name: 'a relative path', text: JSON.stringify({ version: 1, stateDir: 'var/lib/fexpod', binfmtBefore: { mounted: true, entries: [] }, files: [], createdDirs: [], createdTrees: [], systemd: false }), key: 'stateDir' },
    { name: 'a file state without its hash', text: JSON.stringify({ version: 1, stateDir: '/s', binfmtBefore: { mounted: true, entries: [] }, files: [{ path: '/etc/x', before: { kind: 'file', mode: 420, base64: '' } }], createdDirs: [], createdTrees: [], systemd: false }), key: 'files.0.before.sha256' },
];
for (const c of journals) {
    (0, node_test_1.test)(`a broken journal (${c.name}) names the file, the key and the fix`, () => {
        try {
            (0, setup_journal_js_1.parseJournal)(c.text, '/var/lib/fexpod/setup-journal.json');
            strict_1.default.fail('parsed');
        }
        catch (err) {
            strict_1.default.ok(err instanceof errors_js_1.ConfigError);
            strict_1.default.match(err.message, /^\/var\/lib\/fexpod\/setup-journal\.json: /);
            if (c.key)
                strict_1.default.ok(err.message.includes(`${c.key}:`), err.message);
            strict_1.default.match(err.fix ?? '', /binfmt uninstall/);
        }
    });
}
