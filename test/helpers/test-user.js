"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.freeSubIdStart = freeSubIdStart;
exports.pidsOf = pidsOf;
exports.createTestUser = createTestUser;
/**
 * A fresh unprivileged user for rootless tests: created with a home and a
 * runtime directory under a temporary directory and a subuid/subgid range no
 * other user has, commands run as that user with a clean environment
 * (runuser + env -i), and everything removed afterwards: the user's processes
 * (by pid), the account and its ranges, the directories. Creating users is
 * machine-global: call it while holding the binfmt test lock.
 */
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_crypto_1 = require("node:crypto");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const RANGE = 65536;
/** A subordinate id range that overlaps none in /etc/subuid or /etc/subgid. */
function freeSubIdStart(texts) {
    let end = 1_000_000;
    for (const t of texts) {
        for (const line of t.split('\n')) {
            const [, s, c] = line.split(':');
            const e = Number(s) + Number(c);
            if (Number.isFinite(e) && e > end)
                end = e;
        }
    }
    return Math.ceil(end / RANGE) * RANGE;
}
function read(path) {
    try {
        return (0, node_fs_1.readFileSync)(path, 'utf8');
    }
    catch {
        return '';
    }
}
function must(r, what) {
    if (r.status !== 0)
        throw new Error(`${what} failed (${r.status}): ${r.stderr}`);
}
/** Pids of every process owned by uid (from /proc). */
function pidsOf(uid) {
    const out = [];
    for (const d of (0, node_fs_1.readdirSync)('/proc')) {
        if (!/^\d+$/.test(d))
            continue;
        const m = /^Uid:\s+(\d+)/m.exec(read(`/proc/${d}/status`));
        if (m && Number(m[1]) === uid)
            out.push(Number(d));
    }
    return out;
}
function createTestUser(prefix = 'fxrl') {
    const name = `${prefix}${(0, node_crypto_1.randomBytes)(4).toString('hex')}`;
    const base = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), `fexpod-${name}-`));
    (0, node_fs_1.chmodSync)(base, 0o755);
    const home = (0, node_path_1.join)(base, 'home');
    const runtimeDir = (0, node_path_1.join)(base, 'run');
    const shared = (0, node_path_1.join)(base, 'shared');
    must((0, node_child_process_1.spawnSync)('useradd', ['-M', '-d', home, '-s', '/bin/sh', '-U', name], { encoding: 'utf8' }), 'useradd');
    const uid = Number((0, node_child_process_1.spawnSync)('id', ['-u', name], { encoding: 'utf8' }).stdout.trim());
    const gid = Number((0, node_child_process_1.spawnSync)('id', ['-g', name], { encoding: 'utf8' }).stdout.trim());
    let removed = false;
    const remove = () => {
        if (removed)
            return;
        removed = true;
        for (let i = 0; i < 3; i++) {
            const pids = pidsOf(uid);
            if (pids.length === 0)
                break;
            for (const p of pids) {
                try {
                    process.kill(p, 'SIGKILL');
                }
                catch {
                    /* gone */
                }
            }
            (0, node_child_process_1.spawnSync)('sleep', ['0.5']);
        }
        (0, node_child_process_1.spawnSync)('userdel', [name], { encoding: 'utf8' });
        // userdel removes the subordinate ranges too; make sure.
        for (const f of ['/etc/subuid', '/etc/subgid']) {
            if (read(f).split('\n').some((l) => l.startsWith(`${name}:`)))
                (0, node_child_process_1.spawnSync)('sed', ['-i', `/^${name}:/d`, f]);
        }
        (0, node_fs_1.rmSync)(base, { recursive: true, force: true });
    };
    try {
        const start = freeSubIdStart([read('/etc/subuid'), read('/etc/subgid')]);
        const range = `${start}-${start + RANGE - 1}`;
        must((0, node_child_process_1.spawnSync)('usermod', ['--add-subuids', range, '--add-subgids', range, name], { encoding: 'utf8' }), 'usermod --add-subuids');
        for (const d of [home, runtimeDir, shared])
            (0, node_fs_1.mkdirSync)(d, { mode: 0o700 });
        (0, node_fs_1.chownSync)(home, uid, gid);
        (0, node_fs_1.chownSync)(runtimeDir, uid, gid);
        (0, node_fs_1.chmodSync)(shared, 0o777);
    }
    catch (err) {
        remove();
        throw err;
    }
    const env = { HOME: home, USER: name, LOGNAME: name, PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin', XDG_RUNTIME_DIR: runtimeDir, LC_ALL: 'C' };
    const argvFor = (argv) => ['-u', name, '--', 'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv];
    return {
        name,
        uid,
        home,
        runtimeDir,
        shared,
        env,
        run: (argv, opts = {}) => (0, node_child_process_1.spawnSync)('runuser', argvFor(argv), { encoding: 'utf8', cwd: home, input: opts.input, timeout: opts.timeout ?? 180_000 }),
        runAsync: (argv) => new Promise((resolve) => {
            const c = (0, node_child_process_1.spawn)('runuser', argvFor(argv), { cwd: home, stdio: ['ignore', 'pipe', 'pipe'] });
            let stdout = '';
            let stderr = '';
            c.stdout.on('data', (d) => (stdout += d.toString()));
            c.stderr.on('data', (d) => (stderr += d.toString()));
            c.on('close', (status) => resolve({ status, stdout, stderr }));
        }),
        remove,
    };
}
