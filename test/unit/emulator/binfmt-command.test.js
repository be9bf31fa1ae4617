"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_stream_1 = require("node:stream");
const cli_js_1 = require("../../../src/cli.js");
function ctx(argv) {
    let out = '';
    const stdout = new node_stream_1.Writable({ write: (c, _e, cb) => ((out += c.toString()), cb()) });
    const stderr = new node_stream_1.Writable({ write: (_c, _e, cb) => cb() });
    return { argv, env: { PATH: process.env['PATH'] }, cwd: process.cwd(), stdout, stderr, stdin: process.stdin, interactive: false, out: () => out };
}
(0, node_test_1.test)('binfmt --help teaches usage, options and examples', async () => {
    const c = ctx(['binfmt', '--help']);
    strict_1.default.equal(await (0, cli_js_1.main)(c.argv, c), 0);
    for (const s of ['Usage:', '--guest ARCH', '--persist', 'Examples:', 'uninstall'])
        strict_1.default.ok(c.out().includes(s), s);
});
const BAD = [
    { argv: ['binfmt', 'frobnicate'], msg: /unknown subcommand/ },
    { argv: ['binfmt', 'install', '--guest', 'sparc'], msg: /unknown architecture/ },
    { argv: ['binfmt', 'install', '--emulator', 'wine'], msg: /--emulator wine: unknown/ },
    { argv: ['binfmt', 'install', '--persist-dir', '/tmp/x'], msg: /needs --persist/ },
    { argv: ['binfmt', 'uninstall', '--emulator', 'fex'], msg: /uninstall takes only/ },
];
for (const b of BAD) {
    (0, node_test_1.test)(`binfmt ${b.argv.slice(1).join(' ')} is a usage error`, async () => {
        const c = ctx(b.argv);
        await strict_1.default.rejects((0, cli_js_1.main)(c.argv, c), (err) => err.exitCode === 2 && b.msg.test(err.message ?? ''));
    });
}
(0, node_test_1.test)('binfmt status --json prints one JSON document (read-only, real /proc)', async () => {
    const c = ctx(['binfmt', 'status', '--json', '--state-dir', '/nonexistent/fexpod']);
    strict_1.default.equal(await (0, cli_js_1.main)(c.argv, c), 0);
    const doc = JSON.parse(c.out());
    strict_1.default.equal(typeof doc.mounted, 'boolean');
    strict_1.default.ok(Array.isArray(doc.entries));
});
