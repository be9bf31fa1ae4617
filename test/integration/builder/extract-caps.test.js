"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * File capabilities as rpm writes them: `rpm -i --root` (as root, scripts off) installs a package
 * into a temp root, `getfattr` reads each file's security.capability, and fexpod's tree must
 * carry the same bytes (or none) for every file. The package is built here with rpmbuild from
 * test/fixtures/rpm/fexpod-capstest.spec: FILECAPS "=" twice (%caps(=) and %caps(), an empty
 * set, which rpm still writes), "cap_net_raw=ep", and no FILECAPS.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const content_store_js_1 = require("../../../src/builder/tree/content-store.js");
const install_js_1 = require("../../../src/builder/tree/install.js");
const rpm_files_js_1 = require("../../../src/builder/rpm/rpm-files.js");
const rpm_extract_js_1 = require("../../../src/builder/rpm/rpm-extract.js");
const integration_js_1 = require("../../helpers/integration.js");
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('rpm'), (0, integration_js_1.onPath)('rpmbuild'), (0, integration_js_1.onPath)('getfattr'), (0, integration_js_1.isRoot)());
let buildDir = '';
/** fexpod-capstest built with rpmbuild into a temp dir (once per run). */
function capstest() {
    if (buildDir)
        return (0, node_path_1.join)(buildDir, 'RPMS', 'noarch', (0, node_fs_1.readdirSync)((0, node_path_1.join)(buildDir, 'RPMS', 'noarch'))[0]);
    buildDir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-capstest-'));
    const spec = (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'test', 'fixtures', 'rpm', 'fexpod-capstest.spec');
    const r = (0, node_child_process_1.spawnSync)('rpmbuild', ['-bb', '--define', `_topdir ${buildDir}`, '--define', '_buildhost fexpod.invalid', spec], {
        encoding: 'utf8', env: { ...process.env, SOURCE_DATE_EPOCH: '1767225600' },
    });
    strict_1.default.equal(r.status, 0, r.stdout + r.stderr);
    return capstest();
}
/** security.capability of a file as hex, or undefined when it has none. */
function capOf(path) {
    const r = (0, node_child_process_1.spawnSync)('getfattr', ['--absolute-names', '-n', 'security.capability', '-e', 'hex', path], { encoding: 'utf8' });
    const m = /security\.capability=0x([0-9a-f]+)/.exec(r.stdout);
    return m?.[1];
}
const packages = [{ name: 'fexpod-capstest (FILECAPS "=" twice, cap_net_raw=ep, and none)', file: capstest, capped: 3, empty: 2 }];
for (const c of packages) {
    (0, node_test_1.test)(`security.capability equals what rpm -i writes: ${c.name}`, req, async () => {
        const root = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-rpm-root-'));
        try {
            const file = c.file();
            const r = (0, node_child_process_1.spawnSync)('rpm', ['--root', root, '--dbpath', (0, node_path_1.join)(root, 'rpmdb'), '-i', '--nodeps', '--noscripts', '--nosignature', '--ignorearch', file], { encoding: 'utf8' });
            strict_1.default.equal(r.status, 0, r.stderr);
            const pkg = await (0, rpm_extract_js_1.extractRpmFile)(file, (0, content_store_js_1.memoryContentStore)());
            const { tree } = await (0, install_js_1.installRpmFiles)([file], { docs: true, langs: 'all', sourceDateEpoch: 0 }, (0, content_store_js_1.memoryContentStore)());
            strict_1.default.equal(pkg.files.filter((f) => f.caps === '=').length, c.empty, 'files whose FILECAPS is "="');
            let capped = 0;
            for (const f of pkg.files) {
                if (f.flags & rpm_files_js_1.RpmFileFlag.GHOST)
                    continue;
                const path = f.path.replace(/^\/+/, '');
                const want = capOf((0, node_path_1.join)(root, path));
                const got = tree.get(path)?.xattrs?.['security.capability'];
                strict_1.default.equal(got ? Buffer.from(got).toString('hex') : undefined, want, `/${path} (FILECAPS "${f.caps}")`);
                if (want !== undefined)
                    capped++;
            }
            strict_1.default.equal(capped, c.capped, 'files rpm gave a capability xattr');
        }
        finally {
            (0, node_fs_1.rmSync)(root, { recursive: true, force: true });
        }
    });
}
(0, node_test_1.after)(() => {
    if (buildDir)
        (0, node_fs_1.rmSync)(buildDir, { recursive: true, force: true });
});
