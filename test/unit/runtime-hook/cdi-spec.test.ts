import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cdiSpec, cdiSpecUpdate, CDI_KIND, CDI_VERSION } from '../../../src/runtime-hook/cdi/cdi-spec.js';
import type { InstallState } from '../../../src/emulator/binfmt/install-state.js';

const base = { version: 1 as const, disabled: [], persisted: [] };

test('cdiSpec: one device per arch plus "all", prefix mounts ro,nosuid,nodev and env (FEX stand-in)', () => {
  const state: InstallState = {
    ...base,
    registrations: [
      { guest: 'x86_64', emulator: 'fex', entryName: 'FEX-x86_64', registration: 'x', interpreter: '/p/fex/bin/FEX', prefix: '/p/fex', env: { FEX_TSOENABLED: '1' } },
      { guest: 'i386', emulator: 'fex', entryName: 'FEX-x86', registration: 'x', interpreter: '/p/fex/bin/FEX', prefix: '/p/fex' },
    ],
  };
  const spec = cdiSpec(state);
  assert.equal(spec.cdiVersion, CDI_VERSION);
  assert.equal(spec.kind, CDI_KIND);
  assert.deepEqual(spec.devices.map((d) => d.name), ['x86_64', 'i386', 'all']);
  const all = spec.devices.at(-1)?.containerEdits;
  // the directory of the staged prefixes, as the hook mounts it
  assert.deepEqual(all?.mounts, [{ hostPath: '/p', containerPath: '/p', type: 'bind', options: ['ro', 'nosuid', 'nodev', 'bind'] }]);
  assert.deepEqual(all?.env, ['FEX_APP_DATA_LOCATION=/tmp/.fex-emu/', 'FEX_TSOENABLED=1']);
});

test('cdiSpec: static emulators need nothing, so there are no devices', () => {
  const spec = cdiSpec({ ...base, registrations: [{ guest: 'aarch64', emulator: 'qemu-user-static', entryName: 'q', registration: 'x', interpreter: '/usr/bin/qemu-aarch64-static' }] });
  assert.deepEqual(spec.devices, []);
});

test('cdiSpecUpdate: a spec fexpod wrote follows the state when its mounts change; a new prefix in the same directory needs nothing; anything else is left alone', () => {
  const at = (prefix: string): InstallState => ({ ...base, registrations: [{ guest: 'x86_64', emulator: 'fex', entryName: 'FEX-x86_64', registration: 'x', interpreter: `${prefix}/bin/FEX`, prefix }] });
  const written = JSON.stringify(cdiSpec(at('/old-state/prefix/aaa')), null, 2) + '\n';
  assert.equal(cdiSpecUpdate(written, at('/old-state/prefix/bbb')), undefined, 'an update: the mounted directory shows the new prefix already');
  const next = cdiSpecUpdate(written, at('/new-state/prefix/aaa'));
  assert.ok(next);
  assert.match(next, /"hostPath": "\/new-state\/prefix"/);
  assert.doesNotMatch(next, /old-state/);
  assert.equal(cdiSpecUpdate(next, at('/new-state/prefix/aaa')), undefined, 'already current: nothing to write');
  assert.equal(cdiSpecUpdate(undefined, at('/new-state/prefix/aaa')), undefined, 'no spec');
  assert.equal(cdiSpecUpdate(written, undefined), undefined, 'no state');
  assert.equal(cdiSpecUpdate(JSON.stringify({ cdiVersion: '0.5.0', kind: 'nvidia.com/gpu', devices: [] }), at('/x/prefix/a')), undefined, 'not ours');
  assert.equal(cdiSpecUpdate('not json', at('/x/prefix/a')), undefined);
});
