/**
 * The hook's personality() seccomp rules through the real runtime, libseccomp
 * and kernel: a precreate hook that applies exactly fexpod's rule to the config
 * Podman proposes, and a native container in which util-linux's setarch
 * stands in for FEX as the caller of personality(READ_IMPLIES_EXEC). Without
 * the rules Podman's default profile refuses the call (ENOSYS); with them the
 * runtime accepts the widened filter (64-bit value included, on every
 * architecture of the profile) and the call passes. FEX itself runs in the
 * aarch64 lab: scripts/lab-true-direction.sh --fex.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildRootfs, hostArch } from '../../helpers/foreign-image.js';
import { integration, isRoot, onPath, repoRoot } from '../../helpers/integration.js';
import { podman } from './hook-host.js';

const req = integration(onPath('podman'), isRoot(), onPath('setarch'));

/** A precreate hook applying fexpod's personality rule, and nothing else, to every container. */
function ruleHook(dir: string): string {
  const mod = (p: string) => pathToFileURL(join(repoRoot(), 'dist', 'src', 'runtime-hook', p)).href;
  const script = join(dir, 'personality-hook.mjs');
  writeFileSync(
    script,
    [
      `import { readFileSync, writeSync } from 'node:fs';`,
      `import { readHookView } from ${JSON.stringify(mod('hook/oci-config.js'))};`,
      `import { appendToArray } from ${JSON.stringify(mod('hook/json-splice.js'))};`,
      `import { personalityRules } from ${JSON.stringify(mod('fex/personality-rule.js'))};`,
      `const text = readFileSync(0, 'utf8');`,
      `writeSync(1, appendToArray(text, ['linux', 'seccomp', 'syscalls'], personalityRules(readHookView(text).seccomp)));`,
    ].join('\n'),
  );
  const hooks = join(dir, 'hooks.d');
  mkdirSync(hooks);
  writeFileSync(
    join(hooks, 'personality.json'),
    JSON.stringify({ version: '1.0.0', hook: { path: process.execPath, args: ['node', script] }, when: { always: true }, stages: ['precreate'] }),
  );
  return hooks;
}

test('personality() seccomp rules through runc and libseccomp (setarch stand-in for FEX)', { ...req, timeout: 5 * 60_000 }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-fex-seccomp-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const rootfs = buildRootfs(hostArch(), 'dynamic', join(dir, 'rootfs'));
  const hooks = ruleHook(dir);
  const none = join(dir, 'no-hooks.d');
  mkdirSync(none);
  // setarch linux64 -X: personality(PER_LINUX | READ_IMPLIES_EXEC) = 0x400000, what FEX sets for
  // programs with an executable stack (2507) or 32-bit programs without PT_GNU_STACK (2604+).
  const run = (hooksDir: string, cmd: string[]) =>
    podman(['run', '--rm', '--hooks-dir', hooksDir, '-v', '/usr/bin/setarch:/usr/local/bin/setarch:ro', '--rootfs', rootfs, ...cmd]);

  const refused = run(none, ['/usr/local/bin/setarch', 'linux64', '-X', '/bin/true']);
  assert.notEqual(refused.status, 0, 'Podman\'s default profile refuses READ_IMPLIES_EXEC');
  assert.match(refused.stderr, /failed to set personality to linux64: Function not implemented/);

  // (The value itself does not survive the exec of a 64-bit program on x86-64, which clears
  // READ_IMPLIES_EXEC; that personality() returned success is what FEX needs.)
  const allowed = run(hooks, ['/usr/local/bin/setarch', 'linux64', '--verbose', '-X', '/bin/true']);
  assert.equal(allowed.status, 0, allowed.stderr);
  assert.match(allowed.stdout, /Switching on READ_IMPLIES_EXEC/);

  // Nothing else was widened: a persona outside FEX's set is still refused (ADDR_NO_RANDOMIZE).
  const other = run(hooks, ['/usr/local/bin/setarch', 'linux64', '-R', '/bin/true']);
  assert.notEqual(other.status, 0);
  assert.match(other.stderr, /Function not implemented/);
});
