"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.fakeHostDeps = fakeHostDeps;
exports.fakeDiscoveryDeps = fakeDiscoveryDeps;
/** A HostDeps over a fake filesystem and canned program outputs. */
function fakeHostDeps(fs, over = {}, programs = {}) {
    return {
        nodeArch: 'arm64',
        littleEndian: true,
        uid: 1000,
        kernelRelease: '6.8.0-asahi',
        env: { HOME: '/home/u', PATH: '/usr/bin' },
        readFile: async (p) => fs.read(p),
        readText: async (p) => fs.text(p),
        listDir: async (p) => fs.list(p),
        exists: async (p) => fs.resolve(p) !== undefined,
        access: async (p, mode) => fs.resolve(p) !== undefined && (mode === 'read' || (fs.files.get(p)?.mode ?? 0) & 0o2) !== 0,
        which: async (n) => (programs[n] !== undefined ? `/usr/bin/${n}` : undefined),
        run: async (file, args) => {
            const key = [file.split('/').pop(), ...args].join(' ');
            const out = programs[key];
            return out === undefined ? undefined : { stdout: out, stderr: '', exitCode: 0 };
        },
        ...over,
    };
}
function fakeDiscoveryDeps(fs, path = '/usr/bin') {
    return {
        pathDirs: path.split(':'),
        isExecutable: async (p) => fs.isExec(p),
        realpath: async (p) => fs.resolve(p),
        readHead: async (p, n) => fs.read(p)?.subarray(0, n),
    };
}
