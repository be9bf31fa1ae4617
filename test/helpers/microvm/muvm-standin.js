"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.main = main;
/**
 * A recording stand-in for muvm (AsahiLinux/muvm), which cannot run on this
 * machine (no libkrun, no aarch64 KVM). It records every call and reproduces
 * what muvm does to a launch, including what it loses, so the tests prove that
 * the dispatcher makes up for it:
 *
 *  - refuses uid/euid 0 (muvm.rs main); fails when a -f image is missing;
 *  - the command gets only muvm's well-known variables plus -e ones, plus what
 *    the guest sets for itself (DISPLAY=:1, XDG_RUNTIME_DIR, forced GTK/QT
 *    input modules, HK_SYSMEM) and one guest-server variable that must not
 *    reach the program (env.rs, guest/x11.rs, guest/user.rs);
 *  - runs it in "/" rather than the caller's directory (a joining launch has no cwd);
 *  - the "guest" is a private user namespace with its own binfmt_misc (kernel ≥ 6.7)
 *    where the FEX stand-in is registered as FEX-x86_64 / FEX-x86, as muvm-guest
 *    registers FEX (guest/fex.rs);
 *  - with -i it attaches stdio and exits with the command's code, but reports a
 *    command killed by a signal as 0 (server_worker.rs unwrap_or_default);
 *    without -i it only requests the launch and returns 0 at once.
 *
 * Configured by MUVM_STANDIN_CONFIG (set by the wrapper script), never by the caller.
 */
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const WELL_KNOWN = ['LANG', 'LC_ALL', 'LC_CTYPE', 'LC_MESSAGES', 'LD_LIBRARY_PATH', 'PATH', 'RUST_LOG', 'XMODIFIERS'];
function main() {
    const cfg = JSON.parse((0, node_fs_1.readFileSync)(process.env['MUVM_STANDIN_CONFIG'] ?? '', 'utf8'));
    const args = process.argv.slice(2);
    let interactive = false;
    let tty = false;
    const images = [];
    const envs = [];
    let i = 0;
    for (; i < args.length; i++) {
        const a = args[i] ?? '';
        if (a === '--') {
            i++;
            break;
        }
        if (a === '-i')
            interactive = true;
        else if (a === '-t')
            tty = true;
        else if (a === '-f')
            images.push(args[++i] ?? '');
        else if (a === '-e')
            envs.push(args[++i] ?? '');
        else if (a.startsWith('-')) {
            process.stderr.write(`muvm (stand-in): unknown option ${a}\n`);
            process.exit(1);
        }
        else
            break;
    }
    const command = args.slice(i);
    (0, node_fs_1.appendFileSync)(cfg.log, JSON.stringify({ argv: args, interactive, tty, images, envs, command }) + '\n');
    if (process.getuid?.() === 0 || process.geteuid?.() === 0) {
        process.stdout.write('Running as root is not supported as it may break your system\n');
        process.exit(1);
    }
    for (const img of images) {
        if (!(0, node_fs_1.existsSync)(img)) {
            process.stderr.write(`Error: Failed to configure disk ${img}\n`);
            process.exit(1);
        }
    }
    const env = {};
    for (const k of WELL_KNOWN)
        if (process.env[k] !== undefined)
            env[k] = process.env[k] ?? '';
    if (!env['LANG'] && !env['LC_CTYPE'] && !env['LC_ALL'])
        env['LANG'] = 'C.UTF-8';
    Object.assign(env, { GTK_IM_MODULE: 'xim', QT_IM_MODULE: 'xim', HK_SYSMEM: '1073741824' });
    for (const e of envs) {
        const eq = e.indexOf('=');
        const [k, v] = eq < 0 ? [e, process.env[e]] : [e.slice(0, eq), e.slice(eq + 1)];
        if (v === undefined) {
            process.stderr.write(`Error: Failed to get \`${k}\` env var\n`);
            process.exit(1);
        }
        env[k] = v;
    }
    Object.assign(env, { DISPLAY: ':1', XDG_RUNTIME_DIR: cfg.guestRunDir, MUVM_STANDIN_SERVER: 'guest server only' });
    const register = (name, magic) => `:${name}:M::${magic}::${cfg.guestFex}:PF`;
    const script = 'mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc && printf %s "$1" > /proc/sys/fs/binfmt_misc/register && printf %s "$2" > /proc/sys/fs/binfmt_misc/register && shift 2 && cd / && exec "$@"';
    const guest = ['--user', '--map-root-user', '--mount', '/bin/sh', '-c', script, 'sh', register('FEX-x86_64', cfg.magic64), register('FEX-x86', cfg.magic32), ...command];
    const child = (0, node_child_process_1.spawn)('/usr/bin/unshare', guest, { env, stdio: interactive ? 'inherit' : 'ignore', detached: !interactive });
    if (!interactive) {
        child.unref();
        process.exit(0);
    }
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'])
        process.on(s, () => process.exit(130)); // muvm does not forward signals
    child.on('exit', (code, signal) => process.exit(signal ? 0 : (code ?? 0)));
}
