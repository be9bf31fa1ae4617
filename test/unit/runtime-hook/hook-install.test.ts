import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryLogger } from '../../../src/common/log.js';
import { defaultHookScript, defaultTemplatesDir, hostHookFiles } from '../../../src/runtime-hook/install/hook-command.js';
import { TemplateError, checkHookJson, hooksDirsWith, renderHook } from '../../../src/runtime-hook/install/hook-files.js';
import { hookStatus, installHook, uninstallHook, type HookLayout } from '../../../src/runtime-hook/install/hook-install.js';

function layoutIn(dir: string, baseConfs: string[] = []): HookLayout {
  return {
    hooksDir: join(dir, 'fexpod', 'hooks.d'),
    confDir: join(dir, 'containers.conf.d'),
    buildHooksDir: join(dir, 'oci', 'hooks.d'),
    baseConfs,
    templates: defaultTemplatesDir(),
  };
}
const paths = { node: process.execPath, hook: defaultHookScript(), state: '/var/lib/fexpod/binfmt-state.json', log: '/var/log/fexpod/hook.log' };

test('hook install/status/uninstall round trip in temp dirs', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-hook-install-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const layout = layoutIn(dir);
  const f = hostHookFiles();
  const log = memoryLogger();
  assert.equal(hookStatus(f, layout, '/nonexistent/state.json', log).installed, false);
  const r = installHook(f, layout, paths, log);
  assert.equal(r.written.length, 3);
  const hook = JSON.parse(readFileSync(join(layout.hooksDir, 'fexpod-precreate.json'), 'utf8'));
  assert.equal(hook.hook.path, process.execPath);
  assert.deepEqual(hook.hook.args.slice(1, 3), [defaultHookScript(), 'precreate']);
  assert.deepEqual(hook.stages, ['precreate']);
  assert.deepEqual(hook.when, { always: true });
  const build = JSON.parse(readFileSync(join(layout.buildHooksDir ?? '', 'fexpod-createruntime.json'), 'utf8'));
  assert.deepEqual(build.stages, ['createRuntime']);
  const dropIn = readFileSync(join(layout.confDir, '90-fexpod-hooks.conf'), 'utf8');
  assert.match(dropIn, new RegExp(`hooks_dir = \\["/usr/share/containers/oci/hooks.d", "${layout.hooksDir}"\\]`));
  const st = hookStatus(f, layout, '/nonexistent/state.json', log);
  assert.equal(st.installed, true, st.problems.join('; '));
  // No temp files left behind by the atomic writes.
  assert.deepEqual(readdirSync(layout.hooksDir), ['fexpod-precreate.json']);
  const u = uninstallHook(f, layout);
  assert.equal(u.removed.length, 3);
  assert.equal(hookStatus(f, layout, '/nonexistent/state.json', log).installed, false);
});

test('hook install keeps a hooks_dir configured before it and warns about one after it', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-hook-install-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const base = join(dir, 'containers.conf');
  writeFileSync(base, '[engine]\nhooks_dir = ["/usr/share/containers/oci/hooks.d", "/opt/nvidia/hooks.d"]\n');
  const layout = layoutIn(dir, [base]);
  mkdirSync(layout.confDir, { recursive: true });
  writeFileSync(join(layout.confDir, '50-other.conf'), '[engine]\nhooks_dir = ["/etc/other/hooks.d"]\n[containers]\nx = 1\n');
  writeFileSync(join(layout.confDir, '99-late.conf'), '[engine]\nhooks_dir = ["/usr/share/containers/oci/hooks.d"]\n');
  const r = installHook(hostHookFiles(), layout, paths, memoryLogger());
  assert.deepEqual(r.hooksDirs, ['/etc/other/hooks.d', layout.hooksDir]);
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0] ?? '', /99-late.conf sets hooks_dir after/);
  const st = hookStatus(hostHookFiles(), layout, '/nonexistent/state.json', memoryLogger());
  assert.equal(st.hooksDirInForce, false);
  assert.equal(st.installed, false);
});

test('uninstall keeps a file that is not ours', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-hook-install-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const layout = layoutIn(dir);
  mkdirSync(layout.confDir, { recursive: true });
  writeFileSync(join(layout.confDir, '90-fexpod-hooks.conf'), '[engine]\nhooks_dir = ["/x"]\n');
  const u = uninstallHook(hostHookFiles(), layout);
  assert.deepEqual(u.kept, [join(layout.confDir, '90-fexpod-hooks.conf')]);
});

const bad: { name: string; paths: typeof paths; re: RegExp }[] = [
  { name: 'relative node', paths: { ...paths, node: 'node' }, re: /absolute/ },
  { name: 'relative state', paths: { ...paths, state: 'state.json' }, re: /absolute/ },
];
for (const b of bad) {
  test(`renderHook refuses a ${b.name}`, () => {
    const tpl = readFileSync(join(defaultTemplatesDir(), 'fexpod-precreate.json.in'), 'utf8');
    assert.throws(() => renderHook(tpl, b.paths, 'precreate'), b.re);
  });
}

test('renderHook escapes paths into valid JSON', () => {
  const tpl = readFileSync(join(defaultTemplatesDir(), 'fexpod-precreate.json.in'), 'utf8');
  const out = renderHook(tpl, { ...paths, hook: '/opt/we"ird/hook-main.js' }, 'precreate');
  assert.equal(JSON.parse(out).hook.args[1], '/opt/we"ird/hook-main.js');
});

test('checkHookJson rejects what Podman would reject', () => {
  assert.throws(() => checkHookJson('{"version":"1.0.0","hook":{"path":"/n","args":[]},"when":{"always":true},"stages":["prestart"]}', 'precreate'), TemplateError);
  assert.throws(() => checkHookJson('{"version":"1.0.0","hook":{"path":"n"},"when":{"always":true},"stages":["precreate"]}', 'precreate'), /absolute/);
  assert.throws(() => checkHookJson('{"version":"1.0.0","hook":{"path":"/n","args":["@HOOK@"]},"when":{"always":true},"stages":["precreate"]}', 'precreate'), /placeholder/);
  assert.throws(() => checkHookJson('{', 'precreate'), /parse/);
});

test('hooksDirsWith: default dir when nothing set it, no duplicates', () => {
  assert.deepEqual(hooksDirsWith(undefined, '/etc/fexpod/hooks.d'), ['/usr/share/containers/oci/hooks.d', '/etc/fexpod/hooks.d']);
  assert.deepEqual(hooksDirsWith(['/a', '/etc/fexpod/hooks.d'], '/etc/fexpod/hooks.d'), ['/a', '/etc/fexpod/hooks.d']);
});
