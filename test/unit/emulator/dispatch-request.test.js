"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const dispatch_request_js_1 = require("../../../src/emulator/microvm/dispatch-request.js");
const dispatcher_script_js_1 = require("../../../src/emulator/microvm/dispatcher-script.js");
const req = {
    v: dispatch_request_js_1.REQUEST_VERSION,
    cwd: '/home/u/games',
    argv0: 'game',
    program: './game.x86_64',
    args: ['--help', '-h', '', 'a b', 'ü', '--', '-e'],
    env: ['FOO', 'HOME', 'PATH'],
    statusDir: '/tmp/fexpod-dispatch-abc',
};
(0, node_test_1.test)('a request survives encoding as one opaque argument, whatever its arguments hold', () => {
    const blob = (0, dispatch_request_js_1.encodeRequest)(req);
    strict_1.default.match(blob, /^[A-Za-z0-9_-]+$/, 'nothing muvm or a shell could take apart');
    strict_1.default.deepEqual((0, dispatch_request_js_1.decodeGuestRequest)(blob), req);
});
const badRequests = [
    { name: 'not base64 JSON', blob: '!!!', error: /not an encoded fexpod request/ },
    { name: 'another version', blob: (0, dispatch_request_js_1.encodeRequest)({ ...req, v: 2 }), error: /version 2 is not 1/ },
    { name: 'relative statusDir', blob: (0, dispatch_request_js_1.encodeRequest)({ ...req, statusDir: 'tmp' }), error: /statusDir must be an absolute path/ },
    { name: 'relative cwd', blob: (0, dispatch_request_js_1.encodeRequest)({ ...req, cwd: 'x' }), error: /cwd must be an absolute path/ },
    { name: 'a program without a slash (would be searched on PATH)', blob: (0, dispatch_request_js_1.encodeRequest)({ ...req, program: 'game' }), error: /program must be a path/ },
];
for (const c of badRequests)
    (0, node_test_1.test)(`decodeGuestRequest refuses ${c.name}`, () => strict_1.default.throws(() => (0, dispatch_request_js_1.decodeGuestRequest)(c.blob), c.error));
(0, node_test_1.test)('signal requests carry a signal name only', () => {
    strict_1.default.deepEqual((0, dispatch_request_js_1.decodeSignalRequest)((0, dispatch_request_js_1.encodeRequest)({ v: 1, statusDir: '/tmp/d', signal: 'SIGTERM' })), { v: 1, statusDir: '/tmp/d', signal: 'SIGTERM' });
    strict_1.default.throws(() => (0, dispatch_request_js_1.decodeSignalRequest)((0, dispatch_request_js_1.encodeRequest)({ v: 1, statusDir: '/tmp/d', signal: 'rm -rf /' })), /signal must be a signal name/);
});
(0, node_test_1.test)('programPath keeps what the kernel passed, adding ./ only where spawn would search PATH', () => {
    strict_1.default.equal((0, dispatch_request_js_1.programPath)('/usr/bin/x'), '/usr/bin/x');
    strict_1.default.equal((0, dispatch_request_js_1.programPath)('./x'), './x');
    strict_1.default.equal((0, dispatch_request_js_1.programPath)('sub/x'), 'sub/x');
    strict_1.default.equal((0, dispatch_request_js_1.programPath)('x'), './x');
});
(0, node_test_1.test)('passedEnvNames: every caller variable except the ones the VM owns and names -e cannot carry', () => {
    const env = { PATH: '/bin', FOO: '', DISPLAY: ':0', XDG_RUNTIME_DIR: '/run/user/1000', '-odd': 'x', 'A=B': 'y', HOME: '/h', UNSET: undefined };
    strict_1.default.deepEqual((0, dispatch_request_js_1.passedEnvNames)(env), ['FOO', 'HOME', 'PATH']);
    for (const owned of ['DISPLAY', 'WAYLAND_DISPLAY', 'XDG_RUNTIME_DIR', 'DBUS_SESSION_BUS_ADDRESS'])
        strict_1.default.ok(dispatch_request_js_1.VM_OWNED_ENV.includes(owned));
});
(0, node_test_1.test)('guestEnv: the caller\'s names with muvm-delivered values, plus the VM\'s own, nothing else', () => {
    const delivered = { FOO: 'bar', HOME: '/h', PATH: '/bin', DISPLAY: ':1', GTK_IM_MODULE: 'xim', LANG: 'C.UTF-8', MUVM_SERVER: 'x' };
    strict_1.default.deepEqual((0, dispatch_request_js_1.guestEnv)(req, delivered), { FOO: 'bar', HOME: '/h', PATH: '/bin', DISPLAY: ':1', GTK_IM_MODULE: 'xim' });
});
(0, node_test_1.test)('muvmArgv: -i, -t, images in order, -e names, "--" before the guest command', () => {
    strict_1.default.deepEqual((0, dispatch_request_js_1.muvmArgv)({ muvm: '/usr/bin/muvm', images: ['/r/default.erofs', '/o/mesa-i386.erofs'], envNames: ['A', 'B'], interactive: true, tty: true, command: ['/usr/bin/node', '/x/d', '--fexpod-guest-step', 'QQ'] }), ['/usr/bin/muvm', '-i', '-t', '-f', '/r/default.erofs', '-f', '/o/mesa-i386.erofs', '-e', 'A', '-e', 'B', '--', '/usr/bin/node', '/x/d', '--fexpod-guest-step', 'QQ']);
    strict_1.default.deepEqual((0, dispatch_request_js_1.muvmArgv)({ muvm: 'm', images: [], envNames: [], interactive: false, tty: false, command: ['c'] }), ['m', '--', 'c']);
});
(0, node_test_1.test)('parseExitStatus: exact code or signal, nothing from a torn file', () => {
    strict_1.default.deepEqual((0, dispatch_request_js_1.parseExitStatus)('{"code":7}'), { code: 7 });
    strict_1.default.deepEqual((0, dispatch_request_js_1.parseExitStatus)('{"signal":"SIGTERM"}'), { signal: 'SIGTERM' });
    for (const bad of [undefined, '', '{"code":', '{"code":300}', '{"signal":"TERM"}', '[]'])
        strict_1.default.equal((0, dispatch_request_js_1.parseExitStatus)(bad), undefined, String(bad));
});
(0, node_test_1.test)('dispatcherScript: absolute node in the #! line, requires the lean entry', () => {
    const s = (0, dispatcher_script_js_1.dispatcherScript)('/usr/bin/node', '/usr/lib/fexpod/dist/hook/emulator/microvm/dispatch-main.js');
    strict_1.default.match(s, /^#!\/usr\/bin\/node\n/);
    strict_1.default.match(s, /require\("\/usr\/lib\/fexpod\/dist\/hook\/emulator\/microvm\/dispatch-main\.js"\);\n$/);
    strict_1.default.throws(() => (0, dispatcher_script_js_1.dispatcherScript)('node', '/x'), /absolute path/);
    strict_1.default.throws(() => (0, dispatcher_script_js_1.dispatcherScript)('/opt/my node/bin/node', '/x'), /without spaces/);
});
