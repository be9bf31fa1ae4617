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
const node_zlib_1 = require("node:zlib");
const tar_stream_1 = require("tar-stream");
const image_load_js_1 = require("../../../src/engine/image-load.js");
const load_command_js_1 = require("../../../src/engine/load-command.js");
const errors_js_1 = require("../../../src/common/errors.js");
const digest = (b) => `sha256:${(0, node_crypto_1.createHash)('sha256').update(b).digest('hex')}`;
/** A one-layer OCI layout written by hand (independent of the builder's writer). */
function layout() {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-load-unit-'));
    (0, node_fs_1.mkdirSync)((0, node_path_1.join)(dir, 'blobs', 'sha256'), { recursive: true });
    const put = (b) => {
        const d = digest(b);
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dir, 'blobs', 'sha256', d.slice(7)), b);
        return d;
    };
    const layerBytes = (0, node_zlib_1.gzipSync)(Buffer.alloc(1024));
    const layer = put(layerBytes);
    const configJson = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [digest(Buffer.alloc(1024))] } });
    const config = put(configJson);
    const manifestJson = JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: configJson.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer, size: layerBytes.length }],
    });
    const manifest = put(manifestJson);
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dir, 'index.json'), JSON.stringify({
        schemaVersion: 2,
        manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifest, size: manifestJson.length, annotations: { 'org.opencontainers.image.ref.name': 'demo:latest' } }],
    }));
    return { dir, manifest, config, layer };
}
(0, node_test_1.test)('the load archive is the OCI layout plus a docker-archive manifest.json, blobs byte for byte', async () => {
    const l = layout();
    try {
        const image = await (0, image_load_js_1.readLayoutImage)(l.dir);
        strict_1.default.equal(image.manifest.digest, l.manifest);
        strict_1.default.equal(image.manifest.annotations?.['org.opencontainers.image.ref.name'], 'demo:latest');
        const files = new Map();
        const ex = (0, tar_stream_1.extract)();
        ex.on('entry', (h, s, next) => {
            const parts = [];
            s.on('data', (d) => parts.push(Buffer.from(d)));
            s.on('end', () => {
                files.set(h.name, Buffer.concat(parts));
                next();
            });
        });
        const done = new Promise((res, rej) => ex.on('finish', () => res()).on('error', rej));
        (await (0, image_load_js_1.loadArchive)(l.dir, image, 'localhost/demo:latest')).pipe(ex);
        await done;
        strict_1.default.deepEqual([...files.keys()], ['manifest.json', 'oci-layout', 'index.json', ...[l.manifest, l.config, l.layer].map((d) => `blobs/sha256/${d.slice(7)}`)]);
        strict_1.default.deepEqual(JSON.parse(files.get('manifest.json')?.toString() ?? ''), [
            { Config: `blobs/sha256/${l.config.slice(7)}`, RepoTags: ['localhost/demo:latest'], Layers: [`blobs/sha256/${l.layer.slice(7)}`] },
        ]);
        const index = JSON.parse(files.get('index.json')?.toString() ?? '');
        strict_1.default.equal(index.manifests[0].digest, l.manifest);
        strict_1.default.equal(index.manifests[0].annotations['org.opencontainers.image.ref.name'], 'localhost/demo:latest');
        for (const d of [l.manifest, l.config, l.layer])
            strict_1.default.equal(digest(files.get(`blobs/sha256/${d.slice(7)}`) ?? ''), d);
        strict_1.default.equal((0, image_load_js_1.dockerManifestJson)(image, 'x/y:z'), JSON.stringify([{ Config: `blobs/sha256/${l.config.slice(7)}`, RepoTags: ['x/y:z'], Layers: [`blobs/sha256/${l.layer.slice(7)}`] }]));
    }
    finally {
        (0, node_fs_1.rmSync)(l.dir, { recursive: true, force: true });
    }
});
(0, node_test_1.test)('a directory that is not a layout is refused with the fix', async () => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-load-unit-'));
    try {
        await strict_1.default.rejects((0, image_load_js_1.readLayoutImage)(dir), (err) => err instanceof errors_js_1.FexpodError && /index\.json/.test(err.message) && /--format oci/.test(err.fix ?? ''));
    }
    finally {
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
const responses = [
    { name: 'Podman API service', text: '{"stream":"Loaded image: localhost/demo:latest\\n"}\n', loaded: ['localhost/demo:latest'] },
    {
        name: 'Docker Engine progress then result',
        text: '{"status":"Loading layer","progressDetail":{"current":32768,"total":2015232},"id":"a1b2"}\r\n{"stream":"Loaded image: localhost/demo:latest\\n"}\r\n',
        loaded: ['localhost/demo:latest'],
    },
    { name: 'Docker Engine error', text: '{"errorDetail":{"message":"unexpected EOF"},"error":"unexpected EOF"}\r\n', loaded: [], error: 'unexpected EOF' },
    { name: 'Podman error body', text: '{"cause":"payload does not match any of the supported image formats","message":"payload does not match","response":500}', loaded: [], error: 'payload does not match' },
    { name: 'not JSON', text: 'Internal Server Error', loaded: [], error: 'Internal Server Error' },
];
for (const r of responses) {
    (0, node_test_1.test)(`load response: ${r.name}`, () => {
        const got = (0, image_load_js_1.parseLoadResponse)(r.text);
        strict_1.default.deepEqual(got.loaded, r.loaded);
        strict_1.default.equal(got.error, r.error);
    });
}
const refs = [
    { in: 'demo', out: 'localhost/demo:latest' },
    { in: 'demo:43', out: 'localhost/demo:43' },
    { in: 'fex/rootfs:43', out: 'localhost/fex/rootfs:43' },
    { in: 'localhost/fex-rootfs', out: 'localhost/fex-rootfs:latest' },
    { in: 'registry.example.com:5000/fex/sysroot:v1.2', out: 'registry.example.com:5000/fex/sysroot:v1.2' },
    { in: 'Demo:latest' },
    { in: 'demo@sha256:0000000000000000000000000000000000000000000000000000000000000000' },
    { in: 'demo:bad tag' },
    { in: '' },
];
for (const r of refs) {
    (0, node_test_1.test)(`--load-as ${JSON.stringify(r.in)}`, () => {
        if (r.out)
            strict_1.default.equal((0, load_command_js_1.normalizeReference)(r.in), r.out);
        else
            strict_1.default.throws(() => (0, load_command_js_1.normalizeReference)(r.in), errors_js_1.UsageError);
    });
}
