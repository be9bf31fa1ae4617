"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_crypto_1 = require("node:crypto");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const node_util_1 = require("node:util");
const arch_js_1 = require("../../../src/common/arch.js");
const log_js_1 = require("../../../src/common/log.js");
const process_runner_js_1 = require("../../../src/common/process-runner.js");
const output_plan_js_1 = require("../../../src/builder/outputs/output-plan.js");
const outputs_js_1 = require("../../../src/builder/steps/outputs.js");
const integration_js_1 = require("../../helpers/integration.js");
const sample_tree_js_1 = require("../../helpers/sample-tree.js");
const demo_build_js_1 = require("../../helpers/demo-build.js");
const registry_js_1 = require("../../helpers/registry.js");
const run = (0, node_util_1.promisify)(node_child_process_1.execFile);
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('docker-registry'), (0, integration_js_1.onPath)('skopeo'), (0, integration_js_1.onPath)('podman'), (0, integration_js_1.isRoot)());
/** A layout of the sample tree (the host's static busybox) labelled with `arch`. */
async function sampleLayout(dir, arch, name) {
    const r = await (0, outputs_js_1.writeOutputs)({
        entries: (0, sample_tree_js_1.sampleTree)(), formats: ['oci', 'oci-archive', 'sbom'], outDir: dir, names: (0, output_plan_js_1.defaultOutputNames)(name), arch, sourceDateEpoch: sample_tree_js_1.SAMPLE_EPOCH,
        image: { refName: `${name}:latest`, createdBy: 'fexpod test', cmd: ['/bin/sh'] },
        sbom: { imageName: name, distro: { id: 'fedora', release: '42' }, packages: [], toolVersion: 'test' },
    }, { runner: process_runner_js_1.processRunner, privileged: true, pageSize: 4096, env: process.env, log: log_js_1.silentLogger });
    return { path: (0, node_path_1.join)(dir, `${name}.oci`), digest: r.manifestDigest };
}
async function podman(args) {
    return (await run('podman', args, { encoding: 'utf8', maxBuffer: 16 << 20 })).stdout;
}
(0, node_test_1.test)('push to an anonymous registry: skopeo and podman agree on the digest, the image runs, a re-push uploads no blob', req, async () => {
    const reg = await (0, registry_js_1.startRegistry)();
    const proxy = await (0, registry_js_1.startProxy)(reg.host);
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-push-'));
    const repo = `fex/sample-${process.pid}`;
    const ref = `${proxy.host}/${repo}:1`;
    const local = `${reg.host}/${repo}:1`;
    try {
        const img = await sampleLayout(dir, (0, sample_tree_js_1.hostArch)(), 'sample');
        const sbom = (0, node_path_1.join)(dir, 'sample.spdx.json');
        const first = JSON.parse((await (0, demo_build_js_1.runFexpod)(['push', '--tls-verify=false', img.path, ref, '--sbom', sbom, '--json'])).stdout);
        strict_1.default.equal(first.digest, img.digest, 'the layout manifest is pushed byte for byte');
        strict_1.default.equal(first.changed, true);
        strict_1.default.equal(first.blobs.uploaded, 4, 'layer, config, SBOM, empty config');
        strict_1.default.equal(first.referrers[0].via, 'tag', "Debian's registry has no referrers API: the fallback tag");
        const info = JSON.parse((await run('skopeo', ['inspect', '--tls-verify=false', `docker://${local}`])).stdout);
        strict_1.default.equal(info.Digest, img.digest);
        strict_1.default.equal(info.Architecture, (0, sample_tree_js_1.hostArch)().oci.architecture);
        const index = JSON.parse((await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/${repo}:sha256-${img.digest.slice(7)}`])).stdout);
        strict_1.default.deepEqual(index.manifests.map((m) => m.digest), [first.referrers[0].digest]);
        await podman(['pull', '-q', '--tls-verify=false', local]);
        const inspected = JSON.parse(await podman(['image', 'inspect', local]))[0];
        strict_1.default.equal(inspected.Digest, img.digest, 'podman pulled the digest fexpod pushed');
        strict_1.default.equal(await podman(['run', '--rm', local, 'cat', '/usr/share/hello.txt']), 'hello from fexpod\n');
        proxy.requests.length = 0;
        const again = JSON.parse((await (0, demo_build_js_1.runFexpod)(['push', '--tls-verify=false', img.path, ref, '--sbom', sbom, '--json'])).stdout);
        strict_1.default.equal(again.changed, false);
        strict_1.default.equal(again.referrers[0].via, 'present');
        strict_1.default.deepEqual((0, registry_js_1.blobUploads)(proxy.requests), [], 're-push uploads no blob');
        strict_1.default.ok(!proxy.requests.some((r) => r.method === 'PUT'), `nothing written: ${proxy.requests.map((r) => `${r.method} ${r.path}`).join(', ')}`);
        strict_1.default.ok(proxy.requests.length <= 6, `${proxy.requests.length} requests`);
        // the oci-archive of the same image: unpacked, each blob checked, the same digest
        const fromArchive = JSON.parse((await (0, demo_build_js_1.runFexpod)(['push', '--tls-verify=false', (0, node_path_1.join)(dir, 'sample.oci.tar'), `${proxy.host}/${repo}:archive`, '--json'])).stdout);
        strict_1.default.equal(fromArchive.digest, img.digest);
        strict_1.default.equal(fromArchive.blobs.uploaded, 0);
        // the same blobs to another repository: mounted, not uploaded
        proxy.requests.length = 0;
        const mounted = JSON.parse((await (0, demo_build_js_1.runFexpod)(['push', '--tls-verify=false', img.path, `${proxy.host}/${repo}-copy:1`, '--mount-from', repo, '--json'])).stdout);
        strict_1.default.equal(mounted.blobs.mounted, 2);
        strict_1.default.ok(!proxy.requests.some((r) => r.method === 'PATCH' || (r.method === 'PUT' && r.path.includes('/blobs/'))), 'no blob bytes sent');
    }
    finally {
        await podman(['rmi', '-f', local]).catch(() => '');
        await proxy.close();
        await reg.close();
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
(0, node_test_1.test)('an image index with two platforms: pushed as one reference, each platform pulls (podman, skopeo, fexpod)', req, async () => {
    const reg = await (0, registry_js_1.startRegistry)();
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-index-'));
    const repo = `fex/multi-${process.pid}`;
    const local = `${reg.host}/${repo}:1`;
    const native = (0, sample_tree_js_1.hostArch)();
    const foreign = arch_js_1.Arch.parse(native.name === 'x86_64' ? 'aarch64' : 'x86_64');
    try {
        const a = await sampleLayout((0, node_path_1.join)(dir, 'a'), native, 'multi');
        const b = await sampleLayout((0, node_path_1.join)(dir, 'b'), foreign, 'multi');
        const r = JSON.parse((await (0, demo_build_js_1.runFexpod)(['push', '--tls-verify=false', a.path, b.path, local, '--json'])).stdout);
        strict_1.default.equal(r.kind, 'index');
        strict_1.default.deepEqual(r.manifests.map((m) => m.digest).sort(), [a.digest, b.digest].sort());
        const raw = (await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${local}`], { encoding: 'buffer' })).stdout;
        strict_1.default.equal(`sha256:${(0, node_crypto_1.createHash)('sha256').update(raw).digest('hex')}`, r.digest, 'the index is stored as the bytes hashed');
        for (const [arch, want] of [[native, a], [foreign, b]]) {
            const platform = `linux/${arch.oci.architecture}${arch.oci.variant ? `/${arch.oci.variant}` : ''}`;
            const sk = JSON.parse((await run('skopeo', ['inspect', '--tls-verify=false', '--override-arch', arch.oci.architecture, `docker://${local}`])).stdout);
            strict_1.default.equal(sk.Architecture, arch.oci.architecture);
            await podman(['pull', '-q', '--tls-verify=false', '--platform', platform, local]);
            const img = JSON.parse(await podman(['image', 'inspect', local]))[0];
            strict_1.default.equal(img.Architecture, arch.oci.architecture);
            const manifest = JSON.parse((0, node_fs_1.readFileSync)((0, node_path_1.join)(want.path, 'blobs', 'sha256', want.digest.slice(7)), 'utf8'));
            strict_1.default.equal(`sha256:${img.Id}`, manifest.config.digest, `${platform}: podman has that platform's image`);
            await podman(['rmi', '-f', local]);
            const out = (0, node_path_1.join)(dir, `pulled-${arch.name}`);
            const p = JSON.parse((await (0, demo_build_js_1.runFexpod)(['pull', '--tls-verify=false', local, '-o', out, '--platform', platform, '--json'])).stdout);
            strict_1.default.equal(p.digest, want.digest);
            const idx = JSON.parse((0, node_fs_1.readFileSync)((0, node_path_1.join)(out, 'index.json'), 'utf8'));
            strict_1.default.equal(idx.manifests[0].digest, want.digest);
        }
        // a directory of the user's own files is never replaced by a pull
        (0, node_fs_1.mkdirSync)((0, node_path_1.join)(dir, 'mine'));
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dir, 'mine', 'notes.txt'), 'keep me');
        await strict_1.default.rejects((0, demo_build_js_1.runFexpod)(['pull', '--tls-verify=false', local, '-o', (0, node_path_1.join)(dir, 'mine')]), /exists and is not an OCI image layout/);
        strict_1.default.equal((0, node_fs_1.readFileSync)((0, node_path_1.join)(dir, 'mine', 'notes.txt'), 'utf8'), 'keep me');
    }
    finally {
        await podman(['rmi', '-f', local]).catch(() => '');
        await reg.close();
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
