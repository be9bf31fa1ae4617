"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const integration_js_1 = require("../../helpers/integration.js");
const sample_tree_js_1 = require("../../helpers/sample-tree.js");
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('podman'), (0, integration_js_1.onPath)('skopeo'), (0, integration_js_1.isRoot)());
function podman(args) {
    return (0, node_child_process_1.execFileSync)('podman', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
(0, node_test_1.test)('oci-archive: podman load accepts it and the container runs (native busybox tree)', req, async () => {
    const { dir, result } = await (0, sample_tree_js_1.sampleOutputs)(['oci', 'oci-archive']);
    const tag = `localhost/fexpod-oci-test-${process.pid}:latest`;
    try {
        const loaded = podman(['load', '-q', '-i', (0, node_path_1.join)(dir, 'sample.oci.tar')]);
        strict_1.default.match(loaded, /localhost\/sample:latest/);
        podman(['tag', 'localhost/sample:latest', tag]);
        podman(['rmi', 'localhost/sample:latest']);
        const out = podman(['run', '--rm', tag, '/bin/sh', '-c', 'uname -m; cat /usr/share/hello.txt; stat -c "%a %u:%g" /usr/bin/suid-tool /var/lib/games/score']);
        strict_1.default.equal(out, `${(0, node_child_process_1.execFileSync)('uname', ['-m'], { encoding: 'utf8' }).trim()}\nhello from fexpod\n4755 0:0\n664 12:20\n`);
        const inspect = JSON.parse(podman(['image', 'inspect', tag]));
        strict_1.default.equal(inspect[0]?.Architecture, (0, sample_tree_js_1.hostArch)().oci.architecture);
        strict_1.default.equal(inspect[0]?.Created, '2023-11-14T22:15:00Z');
        strict_1.default.ok(result.manifestDigest.startsWith('sha256:'));
    }
    finally {
        try {
            podman(['rmi', '-f', tag]);
        }
        catch { /* not loaded */ }
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
(0, node_test_1.test)('OCI layout: skopeo inspects and copies it into containers-storage, and it runs', req, async () => {
    const { dir, result } = await (0, sample_tree_js_1.sampleOutputs)(['oci']);
    const tag = `localhost/fexpod-oci-skopeo-${process.pid}:latest`;
    try {
        const layout = (0, node_path_1.join)(dir, 'sample.oci');
        strict_1.default.equal((0, node_fs_1.readFileSync)((0, node_path_1.join)(layout, 'oci-layout'), 'utf8'), '{"imageLayoutVersion":"1.0.0"}');
        const info = JSON.parse((0, node_child_process_1.execFileSync)('skopeo', ['inspect', `oci:${layout}:sample:latest`], { encoding: 'utf8' }));
        strict_1.default.equal(info.Digest, result.manifestDigest);
        strict_1.default.equal(info.Architecture, (0, sample_tree_js_1.hostArch)().oci.architecture);
        (0, node_child_process_1.execFileSync)('skopeo', ['copy', '-q', `oci:${layout}:sample:latest`, `containers-storage:${tag}`]);
        strict_1.default.equal(podman(['run', '--rm', tag, 'cat', '/usr/share/hello-hardlink.txt']), 'hello from fexpod\n');
    }
    finally {
        try {
            podman(['rmi', '-f', tag]);
        }
        catch { /* not copied */ }
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
