"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const fex_index_js_1 = require("../../../src/builder/outputs/fex-index.js");
// XXH3-64 reference values (xxHash's own test vectors; XXH64 would give ef46db3751d8e999 for "").
const vectors = [
    { input: '', want: '2d06800538d394c2' },
    { input: 'a', want: 'e6c632b61e964e1f' },
];
for (const v of vectors) {
    (0, node_test_1.test)(`xxh3File(${JSON.stringify(v.input)}) = ${v.want}`, async () => {
        const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-xxh3-'));
        try {
            (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dir, 'f'), v.input);
            strict_1.default.equal(await (0, fex_index_js_1.xxh3File)((0, node_path_1.join)(dir, 'f')), v.want);
        }
        finally {
            (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
        }
    });
}
(0, node_test_1.test)('RootFS_links.json has the FEXRootFSFetcher v1 shape', () => {
    const text = (0, fex_index_js_1.fexIndexJson)({ title: 'Fedora 42', distroMatch: 'fedora', distroVersion: '42', baseUrl: 'https://example.invalid/fex/' }, [
        { image: { path: '/out/default.erofs', type: 'erofs' }, hash: '3af8fe3fe7ad7015' },
        { image: { path: '/out/fex-rootfs-fedora.sqfs', type: 'squashfs' }, hash: 'fdc612c105294cf2' },
    ]);
    strict_1.default.deepEqual(JSON.parse(text), {
        v1: {
            'Fedora 42 (EroFS)': { DistroMatch: 'fedora', DistroVersion: '42', URL: 'https://example.invalid/fex/default.erofs', Hash: '3af8fe3fe7ad7015', Type: 'erofs' },
            'Fedora 42 (SquashFS)': { DistroMatch: 'fedora', DistroVersion: '42', URL: 'https://example.invalid/fex/fex-rootfs-fedora.sqfs', Hash: 'fdc612c105294cf2', Type: 'squashfs' },
        },
    });
});
