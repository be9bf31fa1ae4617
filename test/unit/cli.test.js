"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_stream_1 = require("node:stream");
const cli_js_1 = require("../../src/cli.js");
function ctx() {
    const stdout = new node_stream_1.PassThrough();
    const stderr = new node_stream_1.PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (d) => (out += d));
    stderr.on('data', (d) => (err += d));
    return {
        argv: [],
        env: {},
        cwd: process.cwd(),
        stdout,
        stderr,
        stdin: new node_stream_1.PassThrough(),
        interactive: false,
        out: () => out,
        err: () => err,
    };
}
(0, node_test_1.test)('--help lists every command', async () => {
    const c = ctx();
    strict_1.default.equal(await (0, cli_js_1.main)(['--help'], c), 0);
    for (const cmd of cli_js_1.COMMANDS)
        strict_1.default.match(c.out(), new RegExp(`\\b${cmd.name}\\b`));
});
(0, node_test_1.test)('unknown command exits 2 with usage on stderr', async () => {
    const c = ctx();
    strict_1.default.equal(await (0, cli_js_1.main)(['frobnicate'], c), 2);
    strict_1.default.match(c.err(), /unknown command "frobnicate"/);
    strict_1.default.equal(c.out(), '');
});
