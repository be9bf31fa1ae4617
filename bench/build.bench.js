"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * fexpod build vs the pipeline a user would otherwise script, on the same
 * package set (images/demo.toml: static busybox + a base layout + the corpus'
 * setup/filesystem/basesystem) from the same loopback repository, both cold
 * (fresh package cache, fresh metadata), both ending in an OCI layout and an
 * EroFS image:
 *
 *   fexpod:   fexpod build demo.toml --format oci,erofs   (resolve, fetch+verify, install, profile, outputs)
 *   scripted: dnf --installroot (throwaway config; gpgcheck with the same keys where fexpod
 *             checks signatures) → tar → podman import
 *             → skopeo copy containers-storage: oci: → mkfs.erofs -zlz4hc
 *
 * Two package sets: "demo" (5 small packages) and "python" (the demo plus
 * the host's Python standard library cut into 34 RPMs: ~1400 files, 54 MB;
 * unsigned, so gpgcheck is off for both sides there), and "libs" (the python set
 * plus 40 MB of the host's shared libraries as 20 x86_64 packages and an ldconfig
 * run at the end of the transaction as glibc's file trigger does: the scriptlet work dnf does on Fedora). FEXPOD_BENCH_SET
 * picks one (default: all).
 *
 * Prints the median times, their ratio (target: fexpod ≤ 0.5× the scripted
 * pipeline) and fexpod's peak RSS (GNU time). Needs root, dnf, podman, skopeo.
 */
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const demo_repo_js_1 = require("../test/helpers/demo-repo.js");
const foreign_image_js_1 = require("../test/helpers/foreign-image.js");
const repoRoot = new URL('../../', import.meta.url).pathname;
const cli = (0, node_path_1.join)(repoRoot, 'dist', 'src', 'cli.js');
const RUNS = Number(process.env['FEXPOD_BENCH_RUNS'] ?? '5');
const PY = '/usr/lib/python3.11';
/** The host's Python stdlib as 34 RPMs (one per top-level dir + one for the loose files), cached. */
function pythonRpms() {
    const dir = (0, node_path_1.join)((0, foreign_image_js_1.cacheDir)(), 'bench-python-rpms', 'v1');
    const parts = (0, node_fs_1.readdirSync)(PY).filter((f) => f !== '__pycache__' && f !== 'site-packages' && (0, node_fs_1.statSync)((0, node_path_1.join)(PY, f)).isDirectory()).sort();
    const names = [...parts.map((p) => `pystd-${p.replace(/[^A-Za-z0-9]/g, '-').replace(/^-+/, '')}`), 'pystd-top'];
    if ((0, node_fs_1.existsSync)((0, node_path_1.join)(dir, 'done')))
        return { dir, names };
    const top = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-bench-rpmbuild-'));
    try {
        const spec = (name, install, files) => `Name: ${name}\nVersion: 3.11\nRelease: 1.fc42\nSummary: Python stdlib part\nLicense: Python-2.0.1\nBuildArch: noarch\nAutoReqProv: no\nRequires: demo-filesystem\n%global __os_install_post %{nil}\n%global debug_package %{nil}\n%description\npart of the Python standard library\n%install\nmkdir -p %{buildroot}${PY}\n${install}\n%files\n${files}\n`;
        const loose = (0, node_fs_1.readdirSync)(PY).filter((f) => (0, node_fs_1.statSync)((0, node_path_1.join)(PY, f)).isFile());
        const specs = parts.map((p, i) => [names[i] ?? p, spec(names[i] ?? p, `cp -a ${PY}/${p} %{buildroot}${PY}/`, `${PY}/${p}`)]);
        specs.push(['pystd-top', spec('pystd-top', loose.map((f) => `cp -a ${PY}/${f} %{buildroot}${PY}/`).join('\n'), `%dir ${PY}\n${loose.map((f) => `${PY}/${f}`).join('\n')}`)]);
        buildSpecsInto(top, specs, 'noarch', dir);
    }
    finally {
        (0, node_fs_1.rmSync)(top, { recursive: true, force: true });
    }
    return { dir, names };
}
/** rpmbuild each spec under `top`, then move the RPMs into the cache dir `dir` in one rename (marked done). */
function buildSpecsInto(top, specs, target, dir) {
    for (const [name, text] of specs) {
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(top, `${name}.spec`), text);
        run('rpmbuild', ['--define', `_topdir ${(0, node_path_1.join)(top, 'rpmbuild')}`, '--define', '_binary_payload w19.zstdio', '--target', target, '-bb', (0, node_path_1.join)(top, `${name}.spec`)]);
    }
    const out = (0, node_path_1.join)(top, 'out');
    (0, node_fs_1.mkdirSync)(out);
    for (const f of (0, node_fs_1.readdirSync)((0, node_path_1.join)(top, 'rpmbuild', 'RPMS', target)))
        (0, node_fs_1.renameSync)((0, node_path_1.join)(top, 'rpmbuild', 'RPMS', target, f), (0, node_path_1.join)(out, f));
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(out, 'done'), '');
    (0, node_fs_1.mkdirSync)((0, node_path_1.join)(dir, '..'), { recursive: true });
    (0, node_fs_1.renameSync)(out, dir);
}
const LIBDIR = '/usr/lib/x86_64-linux-gnu';
/**
 * A Fedora-like library set: the host's shared libraries (regular lib*.so.N files, up to
 * 40 MB) as 20 x86_64 packages in /usr/lib64, and bench-ldconfig, which ships the host's
 * static ldconfig and runs it once at the end of the transaction, as glibc's file trigger
 * (%transfiletriggerin -P 2000000 -p /sbin/ldconfig -- /usr/lib64 …) does on Fedora
 * (library packages there have no %post ldconfig since F28). It is a %posttrans here:
 * Debian's rpm did not fire that file trigger in an --installroot (checked: no
 * etc/ld.so.cache). fexpod runs no scriptlets and writes etc/ld.so.cache itself. Cached.
 */
function libRpms() {
    if (!(0, node_fs_1.existsSync)(LIBDIR) || !(0, node_fs_1.existsSync)('/sbin/ldconfig'))
        return undefined;
    const dir = (0, node_path_1.join)((0, foreign_image_js_1.cacheDir)(), 'bench-lib-rpms', 'v3');
    const N = 20;
    const names = ['bench-ldconfig', ...Array.from({ length: N }, (_, i) => `benchlib-${String(i).padStart(2, '0')}`)];
    if ((0, node_fs_1.existsSync)((0, node_path_1.join)(dir, 'done')))
        return { dir, names };
    const libs = [];
    let total = 0;
    for (const f of (0, node_fs_1.readdirSync)(LIBDIR).filter((x) => /^lib.*\.so\.\d/.test(x)).sort()) {
        const st = (0, node_fs_1.lstatSync)((0, node_path_1.join)(LIBDIR, f), { throwIfNoEntry: false });
        if (!st?.isFile() || total + st.size > 40 << 20)
            continue;
        libs.push(f);
        total += st.size;
    }
    const top = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-bench-rpmbuild-'));
    try {
        const head = (name) => `Name: ${name}\nVersion: 1.0\nRelease: 1.fc42\nSummary: bench library set\nLicense: MIT\nAutoReqProv: no\nRequires: demo-filesystem\n%global __os_install_post %{nil}\n%global debug_package %{nil}\n%global _build_id_links none\n%description\nbench\n`;
        const specs = [[
                'bench-ldconfig',
                // Debian's ldconfig does not search /usr/lib64 by itself (Fedora's does): a conf file says so
                `${head('bench-ldconfig')}%install\nmkdir -p %{buildroot}/usr/sbin %{buildroot}/etc/ld.so.conf.d\ncp /sbin/ldconfig %{buildroot}/usr/sbin/ldconfig\necho /usr/lib64 > %{buildroot}/etc/ld.so.conf.d/lib64.conf\n` +
                    `%posttrans -p /usr/sbin/ldconfig\n` +
                    `%files\n/usr/sbin/ldconfig\n/etc/ld.so.conf.d/lib64.conf\n`,
            ]];
        for (let i = 0; i < N; i++) {
            const mine = libs.filter((_, j) => j % N === i);
            const name = names[i + 1] ?? `benchlib-${i}`;
            specs.push([name, `${head(name)}%install\nmkdir -p %{buildroot}/usr/lib64\n${mine.map((f) => `cp ${LIBDIR}/${f} %{buildroot}/usr/lib64/`).join('\n')}\n%files\n${mine.map((f) => `/usr/lib64/${f}`).join('\n')}\n`]);
        }
        buildSpecsInto(top, specs, 'x86_64', dir);
    }
    finally {
        (0, node_fs_1.rmSync)(top, { recursive: true, force: true });
    }
    return { dir, names };
}
const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};
function run(cmd, args, opts = {}) {
    const r = (0, node_child_process_1.spawnSync)(cmd, args, { cwd: opts.cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0)
        throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return r.stdout + r.stderr;
}
/** Runs a command under GNU time; returns its CPU seconds (user+sys, children included) and peak RSS. */
function cpuRun(cmd, args) {
    const out = run('/usr/bin/time', ['-f', 'fexpod-bench-time %U %S %M', cmd, ...args]);
    const m = /fexpod-bench-time ([\d.]+) ([\d.]+) (\d+)/.exec(out);
    return { cpu: Number(m?.[1] ?? 0) + Number(m?.[2] ?? 0), rssKb: Number(m?.[3] ?? 0) };
}
function timed(fn) {
    const t0 = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - t0) / 1e6;
}
const SETS = [];
const want = process.env['FEXPOD_BENCH_SET'];
if (!want || want === 'demo')
    SETS.push({ name: 'demo', packages: ['basesystem', 'demo-busybox'], gpgcheck: true });
if ((!want || want === 'python') && (0, node_fs_1.existsSync)(PY)) {
    const py = pythonRpms();
    SETS.push({ name: 'python', packages: ['basesystem', 'demo-busybox', ...py.names], extraRpms: py.dir, gpgcheck: false });
}
const libSet = (!want || want === 'libs') && (0, node_fs_1.existsSync)(PY) ? libRpms() : undefined;
if (libSet) {
    // the python set plus the library packages and the ldconfig file trigger, in one repository
    const py = pythonRpms();
    const both = (0, node_path_1.join)((0, foreign_image_js_1.cacheDir)(), 'bench-libs-python-rpms', 'v3');
    if (!(0, node_fs_1.existsSync)((0, node_path_1.join)(both, 'done'))) {
        (0, node_fs_1.mkdirSync)(both, { recursive: true });
        for (const d of [py.dir, libSet.dir])
            for (const f of (0, node_fs_1.readdirSync)(d).filter((x) => x.endsWith('.rpm')))
                (0, node_fs_1.copyFileSync)((0, node_path_1.join)(d, f), (0, node_path_1.join)(both, f));
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(both, 'done'), '');
    }
    SETS.push({ name: 'libs', packages: ['basesystem', 'demo-busybox', ...py.names, ...libSet.names], extraRpms: both, gpgcheck: false });
}
for (const set of SETS)
    benchSet(set);
function benchSet(set) {
    const PACKAGES = set.packages;
    const work = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-bench-build-'));
    const repo = (0, demo_repo_js_1.makeDemoRepo)((0, node_path_1.join)(work, 'repo'), set.extraRpms);
    (0, node_fs_1.mkdirSync)((0, node_path_1.join)(work, 'keys'));
    const keys = repo.keyFiles.map((k) => {
        const d = (0, node_path_1.join)(work, 'keys', k.split('/').pop() ?? 'key');
        (0, node_fs_1.copyFileSync)(k, d);
        return d;
    });
    const def = (0, node_path_1.join)(work, 'demo.toml');
    let text = (0, node_fs_1.readFileSync)((0, node_path_1.join)(repoRoot, 'images', 'demo.toml'), 'utf8').replace(/^gpgkey = .*$/m, `gpgkey = [${keys.map((k) => JSON.stringify(`file://${k}`)).join(', ')}]`);
    text = text.replace(/^packages = .*$/m, `packages = ${JSON.stringify(PACKAGES)}`);
    if (!set.gpgcheck)
        text = text.replace(/^gpgcheck = true$/m, 'gpgcheck = false');
    (0, node_fs_1.writeFileSync)(def, text);
    const port = 20000 + (process.pid % 20000) + SETS.indexOf(set);
    const server = (0, node_child_process_1.spawn)('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1'], { cwd: repo.dir, stdio: 'ignore' });
    const url = `http://127.0.0.1:${port}/`;
    for (let i = 0; i < 50; i++) {
        if ((0, node_child_process_1.spawnSync)('curl', ['-fs', `${url}repodata/repomd.xml`], { stdio: 'ignore' }).status === 0)
            break;
        (0, node_child_process_1.execFileSync)('sleep', ['0.1']);
    }
    function fexpodOnce(i) {
        const d = (0, node_path_1.join)(work, `fexpod-${i}`);
        (0, node_fs_1.rmSync)((0, node_path_1.join)(work, 'demo.lock.json'), { force: true });
        let r = { cpu: 0, rssKb: 0 };
        const ms = timed(() => {
            r = cpuRun(process.execPath, [cli, 'build', def, '--repo', `demo=${url}`, '--format', 'oci,erofs', '-o', (0, node_path_1.join)(d, 'out'), '--cache-dir', (0, node_path_1.join)(d, 'cache')]);
        });
        (0, node_fs_1.rmSync)(d, { recursive: true, force: true });
        return { ms, ...r };
    }
    function scriptedOnce(i) {
        const d = (0, node_path_1.join)(work, `dnf-${i}`);
        const root = (0, node_path_1.join)(d, 'root');
        (0, node_fs_1.mkdirSync)(root, { recursive: true });
        const image = `localhost/fexpod-bench-dnf:run${i + 1}`;
        let cpu = 0;
        const ms = timed(() => {
            cpu += cpuRun('dnf', [
                '-y', '-q', `--installroot=${root}`, '--releasever=42', '--setopt=reposdir=/dev/null', `--setopt=cachedir=${(0, node_path_1.join)(d, 'cache')}`,
                '--setopt=install_weak_deps=False', '--setopt=tsflags=nodocs', `--repofrompath=demo,${url}`, '--repo=demo',
                // the same signature checks as fexpod: dnf imports the keys into the installroot and checks every package
                ...(set.gpgcheck ? ['--setopt=demo.gpgcheck=1', `--setopt=demo.gpgkey=${keys.map((k) => `file://${k}`).join(' ')}`] : ['--nogpgcheck']),
                'install', ...PACKAGES,
            ]).cpu;
            cpu += cpuRun('tar', ['--numeric-owner', '--xattrs', '-C', root, '-cf', (0, node_path_1.join)(d, 'layer.tar'), '.']).cpu;
            cpu += cpuRun('podman', ['import', '-q', (0, node_path_1.join)(d, 'layer.tar'), image]).cpu;
            cpu += cpuRun('skopeo', ['copy', '-q', `containers-storage:${image}`, `oci:${(0, node_path_1.join)(d, 'oci')}:demo`]).cpu;
            cpu += cpuRun('mkfs.erofs', ['--quiet', '-zlz4hc', (0, node_path_1.join)(d, 'demo.erofs'), root]).cpu;
        });
        (0, node_child_process_1.spawnSync)('podman', ['rmi', '-f', image], { stdio: 'ignore' });
        (0, node_fs_1.rmSync)(d, { recursive: true, force: true });
        return { ms, cpu };
    }
    try {
        // warm-up (page cache, python, podman storage)
        fexpodOnce(-1);
        scriptedOnce(-1);
        const f = [];
        const fc = [];
        const s = [];
        const sc = [];
        let rss = 0;
        for (let i = 0; i < RUNS; i++) {
            const r = fexpodOnce(i);
            f.push(r.ms);
            fc.push(r.cpu);
            rss = Math.max(rss, r.rssKb);
            const q = scriptedOnce(i);
            s.push(q.ms);
            sc.push(q.cpu);
        }
        const fm = median(f);
        const sm = median(s);
        const fcm = median(fc);
        const scm = median(sc);
        process.stdout.write(`build set "${set.name}" (${PACKAGES.length} requested packages + deps, cold cache, OCI layout + EroFS), ${RUNS} runs each, median:\n`);
        process.stdout.write(`  fexpod build                                                   wall ${fm.toFixed(0)} ms, CPU ${fcm.toFixed(2)} s, peak RSS ${(rss / 1024).toFixed(0)} MiB\n`);
        process.stdout.write(`  dnf --installroot + tar + podman import + skopeo + mkfs.erofs   wall ${sm.toFixed(0)} ms, CPU ${scm.toFixed(2)} s\n`);
        process.stdout.write(`  ratio fexpod/scripted: wall ${(fm / sm).toFixed(2)}x, CPU ${(fcm / scm).toFixed(2)}x (target <= 0.5x; load average ${(0, node_fs_1.readFileSync)('/proc/loadavg', 'utf8').split(' ')[0]})\n`);
    }
    finally {
        server.kill();
        (0, node_fs_1.rmSync)(work, { recursive: true, force: true });
    }
}
