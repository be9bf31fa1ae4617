import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HOST_OVERRIDE_ENV, HOST_OVERRIDE_MARKER, loadHostOverride, overrideNotice, parseHostOverride } from '../../../src/emulator/host/host-override.js';

const ok = (o: object) => JSON.stringify({ testOnly: HOST_OVERRIDE_MARKER, ...o });

test('without the variable nothing is read', () => {
  let read = 0;
  assert.equal(loadHostOverride({}, () => (read++, '')), undefined);
  assert.equal(loadHostOverride({ [HOST_OVERRIDE_ENV]: '' }, () => (read++, '')), undefined);
  assert.equal(read, 0);
});

test('a marked file overrides exactly the facts it names, and says so', () => {
  const o = loadHostOverride({ [HOST_OVERRIDE_ENV]: '/t/facts.json' }, () => ok({ arch: 'aarch64', pageSize: 16384, kvm: 'usable', crunFeatures: ['LIBKRUN'], uid: 1000 }));
  assert.deepEqual(o, { file: '/t/facts.json', arch: 'aarch64', pageSize: 16384, kvm: 'usable', crunFeatures: ['LIBKRUN'], uid: 1000 });
  assert.match(overrideNotice(o!), /test-only host facts from \/t\/facts\.json \(arch="aarch64", pageSize=16384, uid=1000, kvm="usable", crunFeatures=\["LIBKRUN"\]\)/);
});

const refused: { name: string; text: string | undefined; error: RegExp }[] = [
  { name: 'an unreadable file', text: undefined, error: /cannot read it/ },
  { name: 'a file without the test-only marker (never silently ignored)', text: JSON.stringify({ pageSize: 16384 }), error: /not a test facts file/ },
  { name: 'an odd page size', text: ok({ pageSize: 12288 }), error: /pageSize must be a power of two/ },
  { name: 'an unknown architecture', text: ok({ arch: 'riscv64' }), error: /arch must be one of/ },
  { name: 'a misspelt key', text: ok({ pagesize: 16384 }), error: /unknown key "pagesize"/ },
  { name: 'a bad kvm state', text: ok({ kvm: 'yes' }), error: /kvm must be/ },
];
for (const c of refused) {
  test(`refused: ${c.name}, with the fix to unset the variable`, () => {
    assert.throws(() => loadHostOverride({ [HOST_OVERRIDE_ENV]: '/t/f.json' }, () => c.text), (err: Error & { fix?: string }) => {
      assert.match(err.message, c.error);
      assert.match(err.fix ?? '', /unset FEXPOD_TEST_HOST_FACTS/);
      return true;
    });
  });
}

test('crunFeatures null means "crun is not installed"', () => assert.equal(parseHostOverride(ok({ crunFeatures: null }), 'f').crunFeatures, null));
