/**
 * `fexpod hook install|uninstall --user` in a temporary HOME: the layout under
 * the XDG directories, the drop-in keeping the hooks_dir in force before it
 * (including a root-installed fexpod hooks dir, whose hook ours masks by name),
 * and an uninstall that leaves the home exactly as it found it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryLogger } from '../../../src/common/log.js';
import { userDirs } from '../../../src/common/user-dirs.js';
import { defaultHookScript, defaultTemplatesDir, hostHookFiles } from '../../../src/runtime-hook/install/hook-command.js';
import { checkHookJson } from '../../../src/runtime-hook/install/hook-files.js';
import { hookStatus } from '../../../src/runtime-hook/install/hook-install.js';
import { installUserHook, uninstallUserHook, userLayout } from '../../../src/runtime-hook/install/user-install.js';
import { listDirectory, normalized } from '../../helpers/tree-listing.js';

const treeListing = (dir: string) => normalized(listDirectory(dir));

const PODMAN_43 = { raw: '4.3.1', major: 4, minor: 3 };

test('userDirs: XDG variables win when absolute, HOME otherwise; no HOME is an error with a fix', () => {
  assert.deepEqual(userDirs({ HOME: '/home/u/' }), { home: '/home/u', configHome: '/home/u/.config', dataHome: '/home/u/.local/share', stateHome: '/home/u/.local/state' });
  assert.deepEqual(userDirs({ HOME: '/home/u', XDG_CONFIG_HOME: '/cfg', XDG_DATA_HOME: 'relative', XDG_STATE_HOME: '/st/' }), {
    home: '/home/u',
    configHome: '/cfg',
    dataHome: '/home/u/.local/share',
    stateHome: '/st',
  });
  assert.throws(() => userDirs({}), /HOME is not set/);
  assert.throws(() => userDirs({ HOME: 'x' }), /HOME is "x"/);
});

test('userLayout: everything under the home directory, Podman 4.3 rootless config chain before the user drop-ins', () => {
  const l = userLayout(userDirs({ HOME: '/home/u' }), 1000, PODMAN_43, '/t');
  assert.equal(l.hook.hooksDir, '/home/u/.config/fexpod/hooks.d');
  assert.equal(l.hook.confDir, '/home/u/.config/containers/containers.conf.d');
  assert.equal(l.hook.buildHooksDir, undefined);
  assert.equal(l.hook.precreateTemplate, 'fexpod-precreate-user.json.in');
  assert.equal(l.stateFile, '/home/u/.local/share/fexpod/binfmt-state.json');
  assert.equal(l.log, '/home/u/.local/state/fexpod/hook.log');
  assert.deepEqual(l.hook.baseConfs, [
    '/usr/share/containers/containers.conf',
    '/etc/containers/containers.conf',
    '/etc/containers/containers.conf.d',
    '/home/u/.config/containers/containers.conf',
  ]);
  const l5 = userLayout(userDirs({ HOME: '/home/u' }), 1000, { raw: '5.2.0', major: 5, minor: 2 }, '/t');
  assert.ok(l5.hook.baseConfs.includes('/etc/containers/containers.rootless.conf.d/1000/'), 'a drop-in dir without .d is marked with a slash');
});

test('install --user then uninstall --user: the hook, the drop-in, the record; the home is left as found', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-user-install-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const home = join(dir, 'home');
  mkdirSync(join(home, '.config'), { recursive: true });
  writeFileSync(join(home, '.profile'), 'x\n');
  // Root installed fexpod's system hook: its drop-in is in force before ours.
  const etc = join(dir, 'etc-containers.conf.d');
  mkdirSync(etc);
  writeFileSync(join(etc, '90-fexpod-hooks.conf'), '[engine]\nhooks_dir = ["/usr/share/containers/oci/hooks.d", "/etc/fexpod/hooks.d"]\n');
  const base = userLayout(userDirs({ HOME: home }), 1000, PODMAN_43, defaultTemplatesDir());
  const l = { ...base, hook: { ...base.hook, baseConfs: ['/nonexistent/containers.conf', etc] } };
  const before = treeListing(home);
  const f = hostHookFiles();
  let staged = false;
  const r = await installUserHook(f, l, { node: process.execPath, hook: defaultHookScript() }, async () => {
    staged = true;
    mkdirSync(join(l.stateDir, 'prefix', 'a'.repeat(64)), { recursive: true });
    writeFileSync(l.stateFile, '{}');
  }, memoryLogger());
  assert.ok(staged);
  assert.deepEqual(r.hooksDirs, ['/usr/share/containers/oci/hooks.d', '/etc/fexpod/hooks.d', l.hook.hooksDir]);
  assert.deepEqual(r.createdDirs, [
    join(home, '.config', 'containers'),
    join(home, '.config', 'containers', 'containers.conf.d'),
    join(home, '.config', 'fexpod'),
    join(home, '.config', 'fexpod', 'hooks.d'),
    join(home, '.local'),
    join(home, '.local', 'share'),
    join(home, '.local', 'share', 'fexpod'),
    join(home, '.local', 'share', 'fexpod', 'prefix'),
    join(home, '.local', 'state'),
    join(home, '.local', 'state', 'fexpod'),
  ]);
  // Same file name as the system hook: Podman lets ours (later in hooks_dir) mask it.
  const hookText = readFileSync(join(l.hook.hooksDir, 'fexpod-precreate.json'), 'utf8');
  const hook = checkHookJson(hookText, 'precreate');
  assert.deepEqual(hook.args.slice(2), ['precreate', '--private-binfmt', '--state', l.stateFile, '--log', l.log]);
  assert.equal(hookStatus(f, l.hook, l.stateFile, memoryLogger()).installed, true);
  // The hook logs once it ran.
  mkdirSync(join(home, '.local', 'state', 'fexpod'), { recursive: true });
  writeFileSync(l.log, 'log\n');

  const u = await uninstallUserHook(f, l, async () => {
    rmSync(join(l.stateDir, 'prefix'), { recursive: true });
    rmSync(l.stateFile);
    return [l.stateFile];
  });
  assert.ok(u.removed.includes(join(l.hook.confDir, '90-fexpod-hooks.conf')));
  assert.ok(u.removed.includes(l.log));
  assert.deepEqual(u.kept, []);
  assert.deepEqual(treeListing(home), before);
});

test('uninstall --user keeps a drop-in or directory that is not ours', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-user-install-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const home = join(dir, 'home');
  const l = userLayout(userDirs({ HOME: home }), 1000, PODMAN_43, defaultTemplatesDir());
  mkdirSync(l.hook.confDir, { recursive: true });
  writeFileSync(join(l.hook.confDir, '90-fexpod-hooks.conf'), '[engine]\nhooks_dir = ["/x"]\n');
  writeFileSync(join(l.hook.confDir, '10-mine.conf'), '[engine]\n');
  const u = await uninstallUserHook(hostHookFiles(), l, async () => []);
  assert.deepEqual(u.kept, [join(l.hook.confDir, '90-fexpod-hooks.conf')]);
  assert.equal(readFileSync(join(l.hook.confDir, '10-mine.conf'), 'utf8'), '[engine]\n');
});
