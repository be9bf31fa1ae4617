import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { appendToArray, locate, replaceValue, setMember } from '../../../src/runtime-hook/hook/json-splice.js';
import { corpusDir } from '../../helpers/integration.js';

const configs = join(corpusDir(), 'podman-configs');
const files = readdirSync(configs).filter((f) => f.endsWith('.json'));

for (const f of files) {
  test(`json-splice: appending a mount to ${f} changes nothing else`, () => {
    const text = readFileSync(join(configs, f), 'utf8');
    const mount = { destination: '/p', source: '/p', type: 'bind', options: ['bind', 'ro'] };
    const out = appendToArray(text, ['mounts'], [JSON.stringify(mount)]);
    const before = JSON.parse(text);
    const after = JSON.parse(out);
    assert.deepEqual(after.mounts.at(-1), mount);
    after.mounts.pop();
    assert.deepEqual(after, before);
    // Only an insertion: the text before and after the insertion point is intact.
    const span = locate(text, ['mounts']);
    assert.ok(span);
    assert.equal(out.slice(0, span.end - 1), text.slice(0, span.end - 1));
    assert.equal(out.slice(out.length - (text.length - span.end + 1)), text.slice(span.end - 1));
  });
}

const cases: { name: string; text: string; path: string[]; items: string[]; want: string }[] = [
  {
    name: 'RLIM_INFINITY survives (a JSON round trip would turn it into a float)',
    text: '{"process":{"rlimits":[{"type":"RLIMIT_NOFILE","hard":18446744073709551615}],"env":["A=1"]}}',
    path: ['process', 'env'],
    items: ['"B=2"'],
    want: '{"process":{"rlimits":[{"type":"RLIMIT_NOFILE","hard":18446744073709551615}],"env":["A=1","B=2"]}}',
  },
  { name: 'empty array', text: '{"mounts": [ ]}', path: ['mounts'], items: ['1'], want: '{"mounts": [ 1]}' },
  { name: 'missing array is created', text: '{"process":{"args":["x"]}}', path: ['process', 'env'], items: ['"A=1"'], want: '{"process":{"env":["A=1"],"args":["x"]}}' },
  { name: 'missing array in empty object', text: '{"process":{}}', path: ['process', 'env'], items: ['"A=1"'], want: '{"process":{"env":["A=1"]}}' },
  { name: 'strings with brackets and escapes are skipped', text: '{"a":"]}\\"[","mounts":["x"]}', path: ['mounts'], items: ['"y"'], want: '{"a":"]}\\"[","mounts":["x","y"]}' },
  { name: 'nothing to add', text: '{"mounts":[]}', path: ['mounts'], items: [], want: '{"mounts":[]}' },
];
for (const c of cases) {
  test(`json-splice: ${c.name}`, () => {
    assert.equal(appendToArray(c.text, c.path, c.items), c.want);
  });
}

test('json-splice: a non-array member is refused', () => {
  assert.throws(() => appendToArray('{"mounts":{}}', ['mounts'], ['1']), /not an array/);
});

test('replaceValue swaps one value and leaves every other byte', () => {
  const text = '{"process":{"args":["/bin/sh", "-c"],"rlimit":18446744073709551615}}';
  assert.equal(replaceValue(text, ['process', 'args'], '["/x","--","/bin/sh","-c"]'), '{"process":{"args":["/x","--","/bin/sh","-c"],"rlimit":18446744073709551615}}');
  assert.throws(() => replaceValue(text, ['process', 'cwd'], '"/"'), /process\.cwd is missing/);
});

test('setMember adds, replaces, and creates the object when missing', () => {
  assert.equal(setMember('{"annotations":{"a":"1"}}', ['annotations'], 'run.oci.handler', '"krun"'), '{"annotations":{"run.oci.handler":"krun","a":"1"}}');
  assert.equal(setMember('{"annotations":{"run.oci.handler":"wasm"}}', ['annotations'], 'run.oci.handler', '"krun"'), '{"annotations":{"run.oci.handler":"krun"}}');
  assert.equal(setMember('{"annotations":{}}', ['annotations'], 'k', '"v"'), '{"annotations":{"k":"v"}}');
  assert.equal(setMember('{"ociVersion":"1.0.2"}', ['annotations'], 'k', '"v"'), '{"annotations":{"k":"v"},"ociVersion":"1.0.2"}');
  JSON.parse(setMember('{ }', ['annotations'], 'k', '"v"'));
});
