"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * EroFS without a staging tree: where mkfs.erofs has --tar (erofs-utils >=
 * 1.6; Debian 12 has 1.5), the layer's tar stream goes to its stdin.
 *
 * This host's mkfs.erofs is 1.5, so the --tar path is tested to the boundary
 * with a STAND-IN runner: it answers --help as a newer mkfs.erofs would
 * (options written from erofs-utils' documented usage, not a capture) and,
 * for the build, consumes stdin the way mkfs.erofs --tar=f would and records
 * what it got. The arguments, the detection and the bytes sent are real; the
 * image it writes is not. The 1.5 fallback runs the real tool.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_crypto_1 = require("node:crypto");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const log_js_1 = require("../../../src/common/log.js");
const erofs_js_1 = require("../../../src/builder/outputs/erofs.js");
const process_runner_js_1 = require("../../../src/common/process-runner.js");
const output_plan_js_1 = require("../../../src/builder/outputs/output-plan.js");
const outputs_js_1 = require("../../../src/builder/steps/outputs.js");
const integration_js_1 = require("../../helpers/integration.js");
const sample_tree_js_1 = require("../../helpers/sample-tree.js");
const HELP_18 = `usage: [options] FILE SOURCE(s)\n -b#                   set block size to # (# = page size by default)\n -zX[,Y][:...]         X=compressor\n -T#                   specify a fixed UNIX timestamp # as build time\n -UX                   use a given filesystem UUID\n --quiet               quiet execution (do not write anything to standard output.)\n --tar=X               generate a full or index-only image from a tarball(-ish) source\n --workers=#           set the number of worker threads used for compression\n\nAvailable compressors are: lz4, lz4hc, lzma, deflate, zstd\n`;
const HELP_15 = `usage: [options] FILE DIRECTORY\n -zX[,Y]               X=compressor\n -T#                   set a fixed UNIX timestamp # to all files\n --quiet               quiet execution\n\nAvailable compressors are: lz4hc, lz4\n`;
(0, node_test_1.test)('mkfs.erofs --help: --tar and --workers are detected (1.8-style help) and absent in 1.5', () => {
    strict_1.default.deepEqual((0, erofs_js_1.parseMkfsErofsHelp)(HELP_18), { blockSizeFlag: true, compressors: ['lz4', 'lz4hc', 'lzma', 'deflate', 'zstd'], tar: true, workers: true });
    const old = (0, erofs_js_1.parseMkfsErofsHelp)(HELP_15);
    strict_1.default.equal(old.tar, false);
    strict_1.default.equal(old.workers, false);
    strict_1.default.throws(() => (0, erofs_js_1.mkfsErofsTarArgs)(old, { dest: 'x', sourceDateEpoch: 1, digest: 'sha256:0' }, 4096, 'img', 2), /no --tar/);
});
(0, node_test_1.test)('mkfs.erofs --tar arguments: stdin source, 4096-byte blocks, fixed time and UUID, workers', () => {
    const digest = `sha256:${'1'.repeat(64)}`;
    const args = (0, erofs_js_1.mkfsErofsTarArgs)((0, erofs_js_1.parseMkfsErofsHelp)(HELP_18), { dest: 'x', sourceDateEpoch: 1234, digest }, 16384, '/o/img', 4);
    strict_1.default.deepEqual(args, ['--quiet', '-zlz4hc', '-T', '1234', '-U', (0, erofs_js_1.uuidFromDigest)(digest), '-b', '4096', '--tar=f', '--workers=4', '/o/img']);
});
(0, node_test_1.test)('stand-in mkfs.erofs with --tar: the layer pass streams the very tar to its stdin, no staging tree, said in --verbose', async () => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-erofs-tar-'));
    const calls = [];
    const standIn = {
        async run(file, args, opts) {
            if (file !== 'mkfs.erofs')
                return process_runner_js_1.processRunner.run(file, args, opts);
            if (args.includes('--help'))
                throw new process_runner_js_1.CommandFailed('mkfs.erofs', 1, '', HELP_18);
            const h = (0, node_crypto_1.createHash)('sha256');
            const input = opts?.input;
            if (input instanceof Uint8Array)
                h.update(input);
            else if (input)
                for await (const c of input)
                    h.update(c);
            const call = { args, stdinSha: `sha256:${h.digest('hex')}` };
            calls.push(call);
            (0, node_fs_1.writeFileSync)(args[args.length - 1] ?? '', `stand-in image of ${call.stdinSha}\n`);
            return { stdout: '', stderr: '' };
        },
    };
    const log = (0, log_js_1.memoryLogger)();
    try {
        const r = await (0, outputs_js_1.writeOutputs)({ entries: (0, sample_tree_js_1.sampleTree)(), formats: ['oci', 'erofs'], outDir: dir, names: (0, output_plan_js_1.defaultOutputNames)('s'), arch: (0, sample_tree_js_1.hostArch)(), sourceDateEpoch: 1_700_000_000, image: { refName: 's:1', createdBy: 't' } }, { runner: standIn, privileged: false, pageSize: 4096, env: process.env, log, workers: 2 });
        strict_1.default.equal(calls.length, 1);
        strict_1.default.equal(calls[0]?.stdinSha, r.diffId, 'mkfs.erofs read exactly the layer tar');
        strict_1.default.ok(calls[0]?.args.includes('--tar=f'));
        strict_1.default.ok(calls[0]?.args.includes('--workers=2'));
        strict_1.default.ok(r.outputs.some((o) => o.kind === 'erofs'));
        strict_1.default.ok(log.lines.some((l) => /debug: erofs: mkfs.erofs --tar=f reads the layer's tar stream \(no staging tree, 2 workers\)/.test(l)), log.lines.join('\n'));
    }
    finally {
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
(0, node_test_1.test)('real mkfs.erofs without --tar (erofs-utils 1.5 here): the staging-tree fallback is detected and said in --verbose', (0, integration_js_1.integration)((0, integration_js_1.onPath)('mkfs.erofs')), async () => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-erofs-tar-'));
    const log = (0, log_js_1.memoryLogger)();
    try {
        const r = await (0, outputs_js_1.writeOutputs)({ entries: (0, sample_tree_js_1.sampleTree)(), formats: ['erofs'], outDir: dir, names: (0, output_plan_js_1.defaultOutputNames)('s'), arch: (0, sample_tree_js_1.hostArch)(), sourceDateEpoch: 1_700_000_000, image: { refName: 's:1', createdBy: 't' } }, { runner: process_runner_js_1.processRunner, privileged: process.getuid?.() === 0, pageSize: 4096, env: process.env, log });
        strict_1.default.ok(r.outputs.some((o) => o.kind === 'erofs'));
        const said = log.lines.find((l) => l.startsWith('debug: erofs:')) ?? '';
        const caps = (0, erofs_js_1.parseMkfsErofsHelp)((await process_runner_js_1.processRunner.run('mkfs.erofs', ['--help']).catch((e) => (e instanceof process_runner_js_1.CommandFailed ? { stdout: e.stdout, stderr: e.stderr } : { stdout: '', stderr: '' }))).stderr);
        strict_1.default.match(said, caps.tar ? /--tar=f/ : /has no --tar \(erofs-utils < 1\.6\): writing a staging tree/);
    }
    finally {
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
