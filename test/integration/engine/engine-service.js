"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.podmanService = podmanService;
exports.dockerService = dockerService;
/**
 * Container engines' API services started by a test, each on a unix socket in
 * a temp dir of its own: `podman system service` (the host's podman storage)
 * and, where Debian's docker.io is installed, a private dockerd (its own data
 * root and exec root, no bridge and no iptables rules, so it changes nothing
 * machine-wide).
 */
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const promises_1 = require("node:timers/promises");
async function waitFor(socket, child, log, seconds) {
    for (let i = 0; i < seconds * 4; i++) {
        if ((0, node_fs_1.existsSync)(socket))
            return;
        if (child.exitCode !== null)
            throw new Error(`engine exited (${child.exitCode}): ${log()}`);
        await (0, promises_1.setTimeout)(250);
    }
    throw new Error(`no socket ${socket} after ${seconds} s: ${log()}`);
}
async function start(cmd, args, sockName, seconds) {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-engine-'));
    const socket = (0, node_path_1.join)(dir, sockName);
    let out = '';
    const child = (0, node_child_process_1.spawn)(cmd, args(dir, socket), { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d) => (out += d.toString()));
    child.stderr?.on('data', (d) => (out = (out + d.toString()).slice(-8000)));
    const stop = async () => {
        if (child.exitCode === null) {
            child.kill('SIGTERM');
            for (let i = 0; i < 60 && child.exitCode === null; i++)
                await (0, promises_1.setTimeout)(250);
            if (child.exitCode === null)
                child.kill('SIGKILL');
        }
        try {
            (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
        }
        catch {
            // a mount dockerd left busy: the temp dir stays, nothing else does
        }
    };
    try {
        await waitFor(socket, child, () => out, seconds);
    }
    catch (err) {
        await stop();
        throw err;
    }
    return { socket, url: `unix://${socket}`, stop };
}
function podmanService() {
    return start('podman', (_dir, socket) => ['system', 'service', '--time=0', `unix://${socket}`], 'podman.sock', 30);
}
function dockerService() {
    return start('dockerd', (dir, socket) => [
        '--host', `unix://${socket}`, '--data-root', (0, node_path_1.join)(dir, 'data'), '--exec-root', (0, node_path_1.join)(dir, 'exec'), '--pidfile', (0, node_path_1.join)(dir, 'docker.pid'),
        '--iptables=false', '--ip6tables=false', '--ip-masq=false', '--bridge=none',
    ], 'docker.sock', 60);
}
