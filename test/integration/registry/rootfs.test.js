"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_crypto_1 = require("node:crypto");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const integration_js_1 = require("../../helpers/integration.js");
const demo_build_js_1 = require("../../helpers/demo-build.js");
const sample_tree_js_1 = require("../../helpers/sample-tree.js");
const registry_js_1 = require("../../helpers/registry.js");
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('docker-registry'), (0, integration_js_1.onPath)('mkfs.erofs'), (0, integration_js_1.isRoot)());
const sha = (p) => `sha256:${(0, node_crypto_1.createHash)('sha256').update((0, node_fs_1.readFileSync)(p)).digest('hex')}`;
async function fexpod(args, env) {
    try {
        const r = await (0, demo_build_js_1.runFexpod)(args, { env });
        return { ok: true, out: r.stdout + r.stderr, ...(args.includes('--json') ? { json: JSON.parse(r.stdout) } : {}) };
    }
    catch (err) {
        return { ok: false, out: err instanceof Error ? err.message : String(err) };
    }
}
/** Every file under dir (relative paths), hidden ones included. */
function files(dir) {
    if (!(0, node_fs_1.existsSync)(dir))
        return [];
    return (0, node_fs_1.readdirSync)(dir, { recursive: true }).map(String).sort();
}
(0, node_test_1.test)('rootfs install of a pushed EroFS artifact: in place with its digest, Config.json keys kept, a second install is a no-op, a tampered blob installs nothing', req, async () => {
    const reg = await (0, registry_js_1.startRegistry)();
    const { dir, result } = await (0, sample_tree_js_1.sampleOutputs)(['erofs', 'sbom']);
    const home = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-rootfs-home-'));
    const repo = `fex/rootfs-${process.pid}`;
    const ref = `${reg.host}/${repo}:42-erofs`;
    const env = { HOME: home, XDG_DATA_HOME: '', XDG_CONFIG_HOME: '', XDG_STATE_HOME: '', FEX_APP_DATA_LOCATION: '', FEX_APP_CONFIG_LOCATION: '' };
    const erofs = result.outputs.find((o) => o.kind === 'erofs')?.path ?? '';
    try {
        const pushed = await fexpod(['push', '--tls-verify=false', erofs, ref, '--sbom', (0, node_path_1.join)(dir, 'sample.spdx.json'), '--source-date-epoch', '1700000100', '--json'], env);
        strict_1.default.ok(pushed.ok, pushed.out);
        strict_1.default.equal(pushed.json.artifact.digest, sha(erofs));
        // a user install: ~/.local/share/fex-emu/RootFS, ~/.config/fex-emu/Config.json with its other keys kept
        const cfgFile = (0, node_path_1.join)(home, '.config', 'fex-emu', 'Config.json');
        (0, node_fs_1.mkdirSync)((0, node_path_1.join)(home, '.config', 'fex-emu'), { recursive: true });
        (0, node_fs_1.writeFileSync)(cfgFile, JSON.stringify({ Config: { Multiblock: '1', RootFS: 'Ubuntu_24_04.sqsh', X87ReducedPrecision: '1' }, ThunksDB: { GL: 1 } }));
        const first = await fexpod(['rootfs', 'install', '--user', '--tls-verify=false', ref, '--json'], env);
        strict_1.default.ok(first.ok, first.out);
        const installed = (0, node_path_1.join)(home, '.local', 'share', 'fex-emu', 'RootFS', 'sample.erofs');
        strict_1.default.equal(first.json.path, installed);
        strict_1.default.equal(first.json.changed, true);
        strict_1.default.equal(sha(installed), sha(erofs), 'the digest checked');
        const cfg = JSON.parse((0, node_fs_1.readFileSync)(cfgFile, 'utf8'));
        strict_1.default.deepEqual(cfg, { Config: { Multiblock: '1', RootFS: 'sample.erofs', X87ReducedPrecision: '1' }, ThunksDB: { GL: 1 } });
        for (const v of Object.values(cfg.Config))
            strict_1.default.equal(typeof v, 'string', 'FEX reads every option as a string');
        strict_1.default.equal(first.json.config.previous, 'Ubuntu_24_04.sqsh');
        const mtime = (0, node_fs_1.statSync)(installed).mtimeMs;
        const second = await fexpod(['rootfs', 'install', '--user', '--tls-verify=false', ref, '--json'], env);
        strict_1.default.ok(second.ok, second.out);
        strict_1.default.equal(second.json.changed, false, 'the same digest again is a no-op');
        strict_1.default.equal((0, node_fs_1.statSync)(installed).mtimeMs, mtime);
        const listed = await fexpod(['rootfs', 'list', '--json', '--fex-dir', (0, node_path_1.join)(home, 'no-global')], env);
        strict_1.default.ok(listed.ok, listed.out);
        const entry = listed.json.installed.find((e) => e.path === installed);
        strict_1.default.equal(entry.digest, sha(erofs));
        strict_1.default.match(entry.source, new RegExp(`^${reg.host.replace(/\./g, '\\.')}/${repo}:42-erofs@sha256:`));
        strict_1.default.equal(entry.active, true);
        // system-wide (root, no --user): FEX's global dir (moved into the test's temp dir)
        const fexDir = (0, node_path_1.join)(home, 'usr-share-fex-emu');
        const state = (0, node_path_1.join)(home, 'var-lib-fexpod');
        const sys = await fexpod(['rootfs', 'install', '--tls-verify=false', ref, '--fex-dir', fexDir, '--state-dir', state, '--json'], env);
        strict_1.default.ok(sys.ok, sys.out);
        strict_1.default.equal(sys.json.path, (0, node_path_1.join)(fexDir, 'RootFS', 'sample.erofs'));
        strict_1.default.deepEqual(JSON.parse((0, node_fs_1.readFileSync)((0, node_path_1.join)(fexDir, 'Config.json'), 'utf8')), { Config: { RootFS: 'sample.erofs' } });
        strict_1.default.ok((0, node_fs_1.existsSync)((0, node_path_1.join)(state, 'rootfs', 'installed.json')));
        // an overlay goes to overlays/ and leaves Config.json alone
        const ovRef = `${reg.host}/${repo}:42-overlay`;
        strict_1.default.ok((await fexpod(['push', '--tls-verify=false', '--artifact-type', 'overlay', erofs, ovRef], env)).ok);
        const ov = await fexpod(['rootfs', 'install', '--tls-verify=false', ovRef, '--fex-dir', fexDir, '--state-dir', state, '--name', 'mesa-x86_64.erofs', '--json'], env);
        strict_1.default.ok(ov.ok, ov.out);
        strict_1.default.equal(ov.json.path, (0, node_path_1.join)(fexDir, 'overlays', 'mesa-x86_64.erofs'));
        strict_1.default.deepEqual(JSON.parse((0, node_fs_1.readFileSync)((0, node_path_1.join)(fexDir, 'Config.json'), 'utf8')), { Config: { RootFS: 'sample.erofs' } });
        // tamper with the blob in the registry's storage (same size): refused, nothing left behind
        const hex = sha(erofs).slice(7);
        const data = (0, node_path_1.join)(reg.storage, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
        const fd = (0, node_fs_1.openSync)(data, 'r+');
        (0, node_fs_1.writeSync)(fd, Buffer.from('tampered'), 0, 8, 4096);
        (0, node_fs_1.closeSync)(fd);
        const home2 = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-rootfs-home2-'));
        try {
            const env2 = { ...env, HOME: home2 };
            const bad = await fexpod(['rootfs', 'install', '--user', '--tls-verify=false', ref], env2);
            strict_1.default.equal(bad.ok, false);
            strict_1.default.match(bad.out, /refused: the bytes received .* do not match sha256:/);
            strict_1.default.deepEqual(files((0, node_path_1.join)(home2, '.local', 'share', 'fex-emu', 'RootFS')), [], 'no file, no temp file');
            strict_1.default.ok(!(0, node_fs_1.existsSync)((0, node_path_1.join)(home2, '.config', 'fex-emu', 'Config.json')), 'Config.json not written');
            strict_1.default.ok(!(0, node_fs_1.existsSync)((0, node_path_1.join)(home2, '.local', 'state', 'fexpod')), 'nothing recorded');
        }
        finally {
            (0, node_fs_1.rmSync)(home2, { recursive: true, force: true });
        }
    }
    finally {
        await reg.close();
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
        (0, node_fs_1.rmSync)(home, { recursive: true, force: true });
    }
});
