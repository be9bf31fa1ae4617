"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.main = main;
/**
 * A recording stand-in for FEX, the "x86 program" of the dispatcher tests.
 * Started two ways, like FEX:
 *  - through binfmt_misc with the P flag (wrapper adds --binfmt): the kernel passes
 *    <path> <argv0> <args…>, and like FEX (ELFCodeLoader.h) it drops the path, so
 *    the program's argv is <argv0> <args…>;
 *  - directly as `FEX <program> <args…>`: argv[0] is the program path.
 * What the "program" does is its first argument: record (print argv, cwd and env
 * as JSON; an optional exit code follows), cat (stdin to stdout, a line on stderr),
 * wait (print "ready", then on a signal print "got SIG…" and die of it), die SIG.
 */
function main() {
    const raw = process.argv.slice(2);
    const argv = raw[0] === '--binfmt' ? raw.slice(2) : raw;
    const [, action, ...rest] = argv;
    switch (action) {
        case 'cat':
            process.stderr.write('cat: to stderr\n');
            process.stdin.pipe(process.stdout);
            return;
        case 'wait':
            for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR1']) {
                process.on(s, () => {
                    process.stdout.write(`got ${s}\n`, () => {
                        process.removeAllListeners(s);
                        process.kill(process.pid, s);
                    });
                });
            }
            process.stdout.write('ready\n');
            setInterval(() => undefined, 1000);
            return;
        case 'die':
            process.kill(process.pid, rest[0] ?? 'SIGKILL');
            return;
        default: {
            const env = Object.fromEntries(Object.entries(process.env).sort(([a], [b]) => (a < b ? -1 : 1)));
            process.stdout.write(JSON.stringify({ argv, cwd: process.cwd(), env }) + '\n', () => {
                const code = Number(rest[0]);
                process.exit(Number.isInteger(code) ? code : 0);
            });
        }
    }
}
