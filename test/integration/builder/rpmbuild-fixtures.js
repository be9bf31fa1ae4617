"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.PAYLOADS = void 0;
exports.buildFixture = buildFixture;
/** Builds the test RPMs in test/fixtures/builder with the real rpmbuild (test-only). */
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const integration_js_1 = require("../../helpers/integration.js");
exports.PAYLOADS = [
    { name: 'gzip', macro: 'w9.gzdio' },
    { name: 'xz', macro: 'w6.xzdio' },
    { name: 'bzip2', macro: 'w9.bzdio' },
    { name: 'zstd', macro: 'w19.zstdio' },
    // no PAYLOADCOMPRESSOR tag at all: a plain cpio payload, which rpm reads through gzdio's
    // transparent mode
    { name: 'uncompressed', macro: 'w.ufdio' },
];
/** rpmbuild -bb of a fixture spec into `top`; returns the path of the binary RPM. */
function buildFixture(spec, top, payload = 'w19.zstdio') {
    const r = (0, node_child_process_1.spawnSync)('rpmbuild', ['-bb', '--quiet', '--define', `_topdir ${top}`, '--define', `_binary_payload ${payload}`,
        '--define', '_buildhost fexpod.test', '--define', 'source_date_epoch_from_changelog 0',
        '--define', 'use_source_date_epoch_as_buildtime 1', '--define', 'clamp_mtime_to_source_date_epoch 1',
        (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'test', 'fixtures', 'builder', spec)], { encoding: 'utf8', env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' } });
    if (r.status !== 0)
        throw new Error(`rpmbuild ${spec} failed: ${r.stderr}`);
    const dir = (0, node_path_1.join)(top, 'RPMS', 'noarch');
    const rpm = (0, node_fs_1.readdirSync)(dir).find((f) => f.startsWith(spec.replace(/\.spec$/, '')) && f.endsWith('.rpm'));
    if (!rpm)
        throw new Error(`rpmbuild ${spec}: no RPM in ${dir}`);
    return (0, node_path_1.join)(dir, rpm);
}
