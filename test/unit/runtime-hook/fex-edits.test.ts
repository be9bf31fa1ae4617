/**
 * The hook's FEX edits on the real Podman configs of the corpus: the
 * personality() seccomp rules and FEX's environment. FEX itself does not run
 * here; the lab run (scripts/lab-true-direction.sh --fex) shows them working.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FEX_CONTAINER_DATA_DIR, fexContainerEnv, fexServerSocketName } from '../../../src/runtime-hook/fex/fex-env.js';
import { PERSONALITY_QUERY_64, READ_IMPLIES_EXEC, allowedPersonalities, personalityRules, type SeccompView } from '../../../src/runtime-hook/fex/personality-rule.js';
import { appendToArray } from '../../../src/runtime-hook/hook/json-splice.js';
import { readHookView } from '../../../src/runtime-hook/hook/oci-config.js';
import { corpusDir } from '../../helpers/integration.js';

const configs = join(corpusDir(), 'podman-configs');
const files = readdirSync(configs).filter((f) => f.endsWith('.json'));
/** Podman 4.3's default profile: 0, 8, 0x20000, 0x20008 and the query 0xffffffff. */
const PODMAN_DEFAULT = [0, 8, 0x20000, 0x20008, 0xffffffff];
const FEX_WANTS = [0x400000, 0x400008, 0x420000, 0x420008, 2 ** 64];

test('fex personality: the corpus holds every kind of capture the rule must handle', () => {
  assert.ok(files.includes('rootful-amd64-privileged.json'), 'a capture without seccomp');
  assert.ok(files.some((f) => f.startsWith('aarch64-crun')), 'a capture from the aarch64 lab');
});

for (const f of files) {
  test(`fex personality: ${f}`, () => {
    const text = readFileSync(join(configs, f), 'utf8');
    const view = readHookView(text);
    const rules = personalityRules(view.seccomp);
    if (!view.seccomp) {
      assert.deepEqual(rules, [], 'no filter, nothing to widen');
      return;
    }
    assert.deepEqual(allowedPersonalities(view.seccomp), PODMAN_DEFAULT);
    const out = appendToArray(text, ['linux', 'seccomp', 'syscalls'], rules);
    const doc = JSON.parse(out);
    const before = JSON.parse(text);
    const added = doc.linux.seccomp.syscalls.slice(before.linux.seccomp.syscalls.length);
    assert.deepEqual(
      added,
      FEX_WANTS.map((value) => ({ names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value, op: 'SCMP_CMP_EQ' }] })),
    );
    assert.ok(out.includes(`"value":${PERSONALITY_QUERY_64},`), 'the 64-bit query is written as an exact integer');
    // Only personality() changes: every other rule, the default action and the architectures stay.
    doc.linux.seccomp.syscalls = doc.linux.seccomp.syscalls.slice(0, before.linux.seccomp.syscalls.length);
    assert.deepEqual(doc, before);
    // Applying the edit to its own output adds nothing (the hook may see a config twice).
    assert.deepEqual(personalityRules(readHookView(out).seccomp), []);
  });
}

const rule = (value: number, action = 'SCMP_ACT_ALLOW') => ({ names: ['personality'], action, args: [{ index: 0, value, op: 'SCMP_CMP_EQ' }] });
const cases: { name: string; seccomp: SeccompView | undefined; want: (number | string)[] }[] = [
  { name: 'no filter', seccomp: undefined, want: [] },
  { name: 'personality allowed outright', seccomp: { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [] }] }, want: [] },
  { name: 'deny-list profile that does not mention personality', seccomp: { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['kexec_load'], action: 'SCMP_ACT_ERRNO', args: undefined }] }, want: [] },
  { name: 'a profile that does not even allow the query (deliberate): left alone', seccomp: { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [rule(0)] }, want: [] },
  { name: 'query and PER_LINUX only', seccomp: { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [rule(0), rule(0xffffffff)] }, want: [READ_IMPLIES_EXEC, PERSONALITY_QUERY_64] },
  { name: 'a value already allowed is not added twice', seccomp: { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [rule(0), rule(0xffffffff), rule(READ_IMPLIES_EXEC)] }, want: [PERSONALITY_QUERY_64] },
  { name: 'an errno rule for a value does not count as allowed', seccomp: { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [rule(0), rule(0xffffffff), rule(8, 'SCMP_ACT_ERRNO')] }, want: [READ_IMPLIES_EXEC, PERSONALITY_QUERY_64] },
];
for (const c of cases) {
  test(`fex personality: ${c.name}`, () => {
    const got = personalityRules(c.seccomp).map((r) => JSON.parse(r.replace(PERSONALITY_QUERY_64, `"${PERSONALITY_QUERY_64}"`)).args[0].value);
    assert.deepEqual(got, c.want);
  });
}

test('fex env: the data directory ends in "/" (FEX appends "Server/" to it verbatim)', () => {
  assert.ok(FEX_CONTAINER_DATA_DIR.endsWith('/'));
  assert.ok(FEX_CONTAINER_DATA_DIR.startsWith('/tmp/'));
});

test('fex env: one FEXServer socket name per container, fit for an abstract address', () => {
  const a = fexServerSocketName('/var/lib/containers/storage/overlay/a26f2291abed9075b40b4c5a9a606bb6142a6b886d3c8380e50b110dc2e38aad/merged');
  const b = fexServerSocketName('/var/lib/containers/storage/overlay/0e675d7e3db327f34c0b1dd320de883f019ac503215da7f0a0ddff86bc360e52/merged');
  assert.notEqual(a, b);
  assert.equal(a, fexServerSocketName('/var/lib/containers/storage/overlay/a26f2291abed9075b40b4c5a9a606bb6142a6b886d3c8380e50b110dc2e38aad/merged'));
  assert.match(a, /^fexpod-[0-9a-f]{16}\.FEXServer\.Socket$/);
  assert.ok(a.length < 107, 'sun_path holds 108 bytes, one for the leading NUL');
  assert.ok(!a.startsWith('/'), 'a name, so the file-socket fallback lands in the container\'s $TMPDIR');
  assert.deepEqual(Object.keys(fexContainerEnv('/x')), ['FEX_APP_DATA_LOCATION', 'FEX_SERVERSOCKETPATH']);
  assert.deepEqual(Object.keys(fexContainerEnv(undefined)), ['FEX_APP_DATA_LOCATION']);
});
