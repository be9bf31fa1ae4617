"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.nodeWrapper = nodeWrapper;
exports.makeStandIns = makeStandIns;
/**
 * Lays out the microVM stand-ins for a dispatcher test in a fresh directory
 * (readable by an unprivileged user, since the dispatcher refuses root):
 *
 *   bin/muvm           the recording muvm stand-in (muvm-standin.ts)
 *   bin/FEX            the FEX stand-in, started directly (FEX <program> <args>)
 *   bin/FEXServer      FEX's helper, so discovery accepts bin/FEX
 *   guest-fex          the FEX stand-in as the guest's binfmt_misc interpreter (P layout)
 *   muvm.log           one JSON line per muvm call
 *
 * Each "x86 program" is a file starting with a magic of this run's own, which
 * the guest's FEX-x86_64 entry catches.
 */
const node_crypto_1 = require("node:crypto");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const node_url_1 = require("node:url");
/** A Node script file that runs an ES module's main(), with env and leading arguments set first. */
function nodeWrapper(path, module, opts = {}) {
    const lines = [`#!${process.execPath}`];
    for (const [k, v] of Object.entries(opts.env ?? {}))
        lines.push(`process.env[${JSON.stringify(k)}] = ${JSON.stringify(v)};`);
    if (opts.args?.length)
        lines.push(`process.argv.splice(2, 0, ...${JSON.stringify(opts.args)});`);
    // The module only exports main(): loading it (as the test runner does with every file under test/) runs nothing.
    lines.push(`import(${JSON.stringify((0, node_url_1.pathToFileURL)(module).href)}).then((m) => m.main());`);
    (0, node_fs_1.writeFileSync)(path, lines.join('\n') + '\n', { mode: 0o755 });
    (0, node_fs_1.chmodSync)(path, 0o755);
}
function makeStandIns() {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-dispatch-test-'));
    (0, node_fs_1.chmodSync)(dir, 0o755);
    const bin = (0, node_path_1.join)(dir, 'bin');
    (0, node_fs_1.mkdirSync)(bin, { mode: 0o755 });
    const here = new URL('.', import.meta.url).pathname;
    const tag = (0, node_crypto_1.randomBytes)(4).toString('hex');
    const cfg = {
        log: (0, node_path_1.join)(dir, 'muvm.log'),
        guestFex: (0, node_path_1.join)(dir, 'guest-fex'),
        magic64: `FXPD64${tag}`,
        magic32: `FXPD32${tag}`,
        guestRunDir: '/run/user/guest-standin',
    };
    (0, node_fs_1.writeFileSync)(cfg.log, '');
    (0, node_fs_1.chmodSync)(cfg.log, 0o666);
    const cfgFile = (0, node_path_1.join)(dir, 'muvm-standin.json');
    (0, node_fs_1.writeFileSync)(cfgFile, JSON.stringify(cfg));
    (0, node_fs_1.chmodSync)(cfgFile, 0o644);
    nodeWrapper((0, node_path_1.join)(bin, 'muvm'), (0, node_path_1.join)(here, 'muvm-standin.js'), { env: { MUVM_STANDIN_CONFIG: cfgFile } });
    nodeWrapper((0, node_path_1.join)(bin, 'FEX'), (0, node_path_1.join)(here, 'fex-standin.js'));
    nodeWrapper(cfg.guestFex, (0, node_path_1.join)(here, 'fex-standin.js'), { args: ['--binfmt'] });
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(bin, 'FEXServer'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    return {
        dir,
        bin,
        log: cfg.log,
        magic64: cfg.magic64,
        magic32: cfg.magic32,
        program(name, magic = cfg.magic64) {
            const p = (0, node_path_1.join)(dir, name);
            (0, node_fs_1.writeFileSync)(p, `${magic}\n`, { mode: 0o755 });
            (0, node_fs_1.chmodSync)(p, 0o755);
            return p;
        },
        calls: () => (0, node_fs_1.readFileSync)(cfg.log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)),
    };
}
