"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * Acceptance: extracting every corpus RPM and every createrepo_c test package
 * gives what `rpm2cpio | cpio -idm` gives — names, types, modes, symlink
 * targets, hardlink sets and contents.
 */
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const node_test_1 = require("node:test");
const content_store_js_1 = require("../../../src/builder/tree/content-store.js");
const install_js_1 = require("../../../src/builder/tree/install.js");
const rpm_extract_js_1 = require("../../../src/builder/rpm/rpm-extract.js");
const rpm_files_js_1 = require("../../../src/builder/rpm/rpm-files.js");
const integration_js_1 = require("../../helpers/integration.js");
const extract_oracle_js_1 = require("./extract-oracle.js");
function rpmsUnder(dir) {
    const out = [];
    let names = [];
    try {
        names = (0, node_fs_1.readdirSync)(dir, { recursive: true }).map(String);
    }
    catch {
        return out;
    }
    for (const n of names)
        if (n.endsWith('.rpm'))
            out.push((0, node_path_1.join)(dir, n));
    return out.sort();
}
const corpus = [...rpmsUnder((0, node_path_1.join)((0, integration_js_1.corpusDir)(), 'rpms')), ...rpmsUnder((0, node_path_1.join)((0, integration_js_1.corpusDir)(), 'repos', 'createrepo_c-testdata'))];
(0, node_test_1.test)('the corpus has RPMs to check', () => {
    strict_1.default.ok(corpus.length >= 15, `found ${corpus.length} RPMs under ${(0, integration_js_1.corpusDir)()}`);
});
for (const rpm of corpus) {
    const name = rpm.slice((0, integration_js_1.corpusDir)().length + 1);
    (0, node_test_1.test)(`extraction of ${name} equals rpm2cpio | cpio`, (0, integration_js_1.integration)((0, integration_js_1.onPath)('rpm2cpio'), (0, integration_js_1.onPath)('cpio'), (0, integration_js_1.isRoot)()), async () => {
        const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-oracle-'));
        try {
            (0, extract_oracle_js_1.oracleExtract)(rpm, dir);
            const want = (0, extract_oracle_js_1.listDir)(dir);
            const pkg = await (0, rpm_extract_js_1.extractRpmFile)(rpm, (0, content_store_js_1.memoryContentStore)());
            const { tree } = await (0, install_js_1.installPackages)([pkg], { docs: true, langs: 'all', sourceDateEpoch: 0, onConflict: 'report' });
            const got = await (0, extract_oracle_js_1.listTree)(tree);
            // Every file the header lists (not %ghost) must match; directories cpio
            // creates implicitly (not in the payload) are only checked for existence.
            const listed = new Set(pkg.files.filter((f) => !(f.flags & rpm_files_js_1.RpmFileFlag.GHOST)).map((f) => f.path.replace(/^\.?\/+/, '')));
            for (const [p, v] of want.entries) {
                if (listed.has(p))
                    strict_1.default.equal(got.entries.get(p), v, `${p}`);
                else
                    strict_1.default.ok(got.entries.has(p), `${p} (implicit) missing`);
            }
            for (const p of got.entries.keys())
                strict_1.default.ok(want.entries.has(p), `${p} is extra`);
            strict_1.default.deepEqual(got.links, want.links, 'hardlink sets');
        }
        finally {
            (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
        }
    });
}
