"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.largeSet = largeSet;
exports.serve = serve;
/**
 * The large benchmark set: real binaries of this host (its shared libraries
 * and programs, regular files only) cut into rpmbuild-made packages, cached
 * outside the repository (cacheDir()/bench-large-rpms). `scale` 1 is ~440 MB
 * in 60 packages; scale 2 twice that (the bounded-memory check).
 *
 * Payloads are zstd level 3 (Fedora uses 19: slower to build here, about as
 * fast to decompress, which is what a build pays).
 */
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const foreign_image_js_1 = require("../test/helpers/foreign-image.js");
const demo_repo_js_1 = require("../test/helpers/demo-repo.js");
const repoRoot = new URL('../../', import.meta.url).pathname;
const SOURCES = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/bin'];
const MB = 1024 * 1024;
function run(cmd, args) {
    const r = (0, node_child_process_1.spawnSync)(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0)
        throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
}
/** Regular files of the sources, biggest-first cut at 64 MiB each, until `target` bytes. */
function pickFiles(target) {
    const out = [];
    const taken = new Set();
    let total = 0;
    for (const dir of SOURCES.filter((d) => (0, node_fs_1.existsSync)(d))) {
        const destDir = dir.endsWith('/bin') ? '/usr/libexec/large' : '/usr/lib64';
        for (const f of (0, node_fs_1.readdirSync)(dir).sort()) {
            if (!/^[A-Za-z0-9._+-]+$/.test(f))
                continue;
            const st = (0, node_fs_1.lstatSync)((0, node_path_1.join)(dir, f), { throwIfNoEntry: false });
            if (!st?.isFile() || st.size === 0 || st.size > 64 * MB)
                continue;
            if (total + st.size > target || taken.has(`${destDir}/${f}`))
                continue;
            taken.add(`${destDir}/${f}`);
            out.push({ src: (0, node_path_1.join)(dir, f), dest: `${destDir}/${f}`, size: st.size });
            total += st.size;
        }
    }
    return out;
}
function largeSet(scale) {
    const packages = 60 * scale;
    const target = 440 * MB * scale;
    const dir = (0, node_path_1.join)((0, foreign_image_js_1.cacheDir)(), 'bench-large-rpms', `v3-x${scale}`);
    const names = Array.from({ length: packages }, (_, i) => `large-${String(i).padStart(3, '0')}`);
    const files = pickFiles(target);
    const bytes = files.reduce((n, f) => n + f.size, 0);
    if ((0, node_fs_1.existsSync)((0, node_path_1.join)(dir, 'done')))
        return { dir, names, bytes };
    const top = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-bench-large-'));
    try {
        for (const [i, name] of names.entries()) {
            const mine = files.filter((_, j) => j % packages === i);
            const spec = `Name: ${name}\nVersion: 1.0\nRelease: 1.fc42\nSummary: bench large set\nLicense: MIT\nAutoReqProv: no\nRequires: demo-filesystem\n` +
                `%global __os_install_post %{nil}\n%global debug_package %{nil}\n%global _build_id_links none\n%description\nbench\n` +
                `%install\nmkdir -p %{buildroot}/usr/lib64 %{buildroot}/usr/libexec/large\n${mine.map((f) => `cp ${f.src} %{buildroot}${f.dest}`).join('\n')}\n` +
                `%files\n${mine.map((f) => f.dest).join('\n')}\n`;
            (0, node_fs_1.writeFileSync)((0, node_path_1.join)(top, `${name}.spec`), spec);
            run('rpmbuild', ['--define', `_topdir ${(0, node_path_1.join)(top, 'rpmbuild')}`, '--define', '_binary_payload w3.zstdio', '--target', 'x86_64', '-bb', (0, node_path_1.join)(top, `${name}.spec`)]);
        }
        const out = (0, node_path_1.join)(top, 'out');
        (0, node_fs_1.mkdirSync)(out);
        for (const f of (0, node_fs_1.readdirSync)((0, node_path_1.join)(top, 'rpmbuild', 'RPMS', 'x86_64')))
            (0, node_fs_1.renameSync)((0, node_path_1.join)(top, 'rpmbuild', 'RPMS', 'x86_64', f), (0, node_path_1.join)(out, f));
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(out, 'done'), '');
        (0, node_fs_1.mkdirSync)((0, node_path_1.join)(dir, '..'), { recursive: true });
        (0, node_fs_1.renameSync)(out, dir);
    }
    finally {
        (0, node_fs_1.rmSync)(top, { recursive: true, force: true });
    }
    return { dir, names, bytes };
}
/** The set (with the demo repo's base packages) served on loopback, and a definition building `packages` from it. */
function serve(set, port, packages) {
    const work = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-bench-large-'));
    const repo = (0, demo_repo_js_1.makeDemoRepo)((0, node_path_1.join)(work, 'repo'), set.dir);
    (0, node_fs_1.mkdirSync)((0, node_path_1.join)(work, 'keys'));
    const keys = repo.keyFiles.map((k) => {
        const d = (0, node_path_1.join)(work, 'keys', k.split('/').pop() ?? 'key');
        (0, node_fs_1.copyFileSync)(k, d);
        return d;
    });
    let text = (0, node_fs_1.readFileSync)((0, node_path_1.join)(repoRoot, 'images', 'demo.toml'), 'utf8').replace(/^gpgkey = .*$/m, `gpgkey = [${keys.map((k) => JSON.stringify(`file://${k}`)).join(', ')}]`);
    text = text.replace(/^packages = .*$/m, `packages = ${JSON.stringify(packages)}`);
    // rpmbuild-made bench packages are unsigned: no signature checks on either side
    text = text.replace(/^gpgcheck = true$/m, 'gpgcheck = false');
    const def = (0, node_path_1.join)(work, 'large.toml');
    (0, node_fs_1.writeFileSync)(def, text);
    const server = (0, node_child_process_1.spawn)('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1'], { cwd: repo.dir, stdio: 'ignore' });
    const url = `http://127.0.0.1:${port}/`;
    for (let i = 0; i < 100; i++) {
        if ((0, node_child_process_1.spawnSync)('curl', ['-fs', `${url}repodata/repomd.xml`], { stdio: 'ignore' }).status === 0)
            break;
        (0, node_child_process_1.execFileSync)('sleep', ['0.1']);
    }
    return { url, def, work, close: () => { server.kill(); (0, node_fs_1.rmSync)(work, { recursive: true, force: true }); } };
}
