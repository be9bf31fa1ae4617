import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  REQUEST_VERSION, VM_OWNED_ENV, decodeGuestRequest, decodeSignalRequest, encodeRequest, guestEnv, muvmArgv, parseExitStatus,
  passedEnvNames, programPath, type GuestRequest,
} from '../../../src/emulator/microvm/dispatch-request.js';
import { dispatcherScript } from '../../../src/emulator/microvm/dispatcher-script.js';

const req: GuestRequest = {
  v: REQUEST_VERSION,
  cwd: '/home/u/games',
  argv0: 'game',
  program: './game.x86_64',
  args: ['--help', '-h', '', 'a b', 'ü', '--', '-e'],
  env: ['FOO', 'HOME', 'PATH'],
  statusDir: '/tmp/fexpod-dispatch-abc',
};

test('a request survives encoding as one opaque argument, whatever its arguments hold', () => {
  const blob = encodeRequest(req);
  assert.match(blob, /^[A-Za-z0-9_-]+$/, 'nothing muvm or a shell could take apart');
  assert.deepEqual(decodeGuestRequest(blob), req);
});

const badRequests: { name: string; blob: string; error: RegExp }[] = [
  { name: 'not base64 JSON', blob: '!!!', error: /not an encoded fexpod request/ },
  { name: 'another version', blob: encodeRequest({ ...req, v: 2 as 1 }), error: /version 2 is not 1/ },
  { name: 'relative statusDir', blob: encodeRequest({ ...req, statusDir: 'tmp' }), error: /statusDir must be an absolute path/ },
  { name: 'relative cwd', blob: encodeRequest({ ...req, cwd: 'x' }), error: /cwd must be an absolute path/ },
  { name: 'a program without a slash (would be searched on PATH)', blob: encodeRequest({ ...req, program: 'game' }), error: /program must be a path/ },
];
for (const c of badRequests) test(`decodeGuestRequest refuses ${c.name}`, () => assert.throws(() => decodeGuestRequest(c.blob), c.error));

test('signal requests carry a signal name only', () => {
  assert.deepEqual(decodeSignalRequest(encodeRequest({ v: 1, statusDir: '/tmp/d', signal: 'SIGTERM' })), { v: 1, statusDir: '/tmp/d', signal: 'SIGTERM' });
  assert.throws(() => decodeSignalRequest(encodeRequest({ v: 1, statusDir: '/tmp/d', signal: 'rm -rf /' })), /signal must be a signal name/);
});

test('programPath keeps what the kernel passed, adding ./ only where spawn would search PATH', () => {
  assert.equal(programPath('/usr/bin/x'), '/usr/bin/x');
  assert.equal(programPath('./x'), './x');
  assert.equal(programPath('sub/x'), 'sub/x');
  assert.equal(programPath('x'), './x');
});

test('passedEnvNames: every caller variable except the ones the VM owns and names -e cannot carry', () => {
  const env = { PATH: '/bin', FOO: '', DISPLAY: ':0', XDG_RUNTIME_DIR: '/run/user/1000', '-odd': 'x', 'A=B': 'y', HOME: '/h', UNSET: undefined };
  assert.deepEqual(passedEnvNames(env), ['FOO', 'HOME', 'PATH']);
  for (const owned of ['DISPLAY', 'WAYLAND_DISPLAY', 'XDG_RUNTIME_DIR', 'DBUS_SESSION_BUS_ADDRESS']) assert.ok(VM_OWNED_ENV.includes(owned));
});

test('guestEnv: the caller\'s names with muvm-delivered values, plus the VM\'s own, nothing else', () => {
  const delivered = { FOO: 'bar', HOME: '/h', PATH: '/bin', DISPLAY: ':1', GTK_IM_MODULE: 'xim', LANG: 'C.UTF-8', MUVM_SERVER: 'x' };
  assert.deepEqual(guestEnv(req, delivered), { FOO: 'bar', HOME: '/h', PATH: '/bin', DISPLAY: ':1', GTK_IM_MODULE: 'xim' });
});

test('muvmArgv: -i, -t, images in order, -e names, "--" before the guest command', () => {
  assert.deepEqual(
    muvmArgv({ muvm: '/usr/bin/muvm', images: ['/r/default.erofs', '/o/mesa-i386.erofs'], envNames: ['A', 'B'], interactive: true, tty: true, command: ['/usr/bin/node', '/x/d', '--fexpod-guest-step', 'QQ'] }),
    ['/usr/bin/muvm', '-i', '-t', '-f', '/r/default.erofs', '-f', '/o/mesa-i386.erofs', '-e', 'A', '-e', 'B', '--', '/usr/bin/node', '/x/d', '--fexpod-guest-step', 'QQ'],
  );
  assert.deepEqual(muvmArgv({ muvm: 'm', images: [], envNames: [], interactive: false, tty: false, command: ['c'] }), ['m', '--', 'c']);
});

test('parseExitStatus: exact code or signal, nothing from a torn file', () => {
  assert.deepEqual(parseExitStatus('{"code":7}'), { code: 7 });
  assert.deepEqual(parseExitStatus('{"signal":"SIGTERM"}'), { signal: 'SIGTERM' });
  for (const bad of [undefined, '', '{"code":', '{"code":300}', '{"signal":"TERM"}', '[]']) assert.equal(parseExitStatus(bad), undefined, String(bad));
});

test('dispatcherScript: absolute node in the #! line, requires the lean entry', () => {
  const s = dispatcherScript('/usr/bin/node', '/usr/lib/fexpod/dist/hook/emulator/microvm/dispatch-main.js');
  assert.match(s, /^#!\/usr\/bin\/node\n/);
  assert.match(s, /require\("\/usr\/lib\/fexpod\/dist\/hook\/emulator\/microvm\/dispatch-main\.js"\);\n$/);
  assert.throws(() => dispatcherScript('node', '/x'), /absolute path/);
  assert.throws(() => dispatcherScript('/opt/my node/bin/node', '/x'), /without spaces/);
});
