"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const json_splice_js_1 = require("../../../src/runtime-hook/hook/json-splice.js");
const integration_js_1 = require("../../helpers/integration.js");
const configs = (0, node_path_1.join)((0, integration_js_1.corpusDir)(), 'podman-configs');
const files = (0, node_fs_1.readdirSync)(configs).filter((f) => f.endsWith('.json'));
for (const f of files) {
    (0, node_test_1.test)(`json-splice: appending a mount to ${f} changes nothing else`, () => {
        const text = (0, node_fs_1.readFileSync)((0, node_path_1.join)(configs, f), 'utf8');
        const mount = { destination: '/p', source: '/p', type: 'bind', options: ['bind', 'ro'] };
        const out = (0, json_splice_js_1.appendToArray)(text, ['mounts'], [JSON.stringify(mount)]);
        const before = JSON.parse(text);
        const after = JSON.parse(out);
        strict_1.default.deepEqual(after.mounts.at(-1), mount);
        after.mounts.pop();
        strict_1.default.deepEqual(after, before);
        // Only an insertion: the text before and after the insertion point is intact.
        const span = (0, json_splice_js_1.locate)(text, ['mounts']);
        strict_1.default.ok(span);
        strict_1.default.equal(out.slice(0, span.end - 1), text.slice(0, span.end - 1));
        strict_1.default.equal(out.slice(out.length - (text.length - span.end + 1)), text.slice(span.end - 1));
    });
}
const cases = [
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
    (0, node_test_1.test)(`json-splice: ${c.name}`, () => {
        strict_1.default.equal((0, json_splice_js_1.appendToArray)(c.text, c.path, c.items), c.want);
    });
}
(0, node_test_1.test)('json-splice: a non-array member is refused', () => {
    strict_1.default.throws(() => (0, json_splice_js_1.appendToArray)('{"mounts":{}}', ['mounts'], ['1']), /not an array/);
});
(0, node_test_1.test)('replaceValue swaps one value and leaves every other byte', () => {
    const text = '{"process":{"args":["/bin/sh", "-c"],"rlimit":18446744073709551615}}';
    strict_1.default.equal((0, json_splice_js_1.replaceValue)(text, ['process', 'args'], '["/x","--","/bin/sh","-c"]'), '{"process":{"args":["/x","--","/bin/sh","-c"],"rlimit":18446744073709551615}}');
    strict_1.default.throws(() => (0, json_splice_js_1.replaceValue)(text, ['process', 'cwd'], '"/"'), /process\.cwd is missing/);
});
(0, node_test_1.test)('setMember adds, replaces, and creates the object when missing', () => {
    strict_1.default.equal((0, json_splice_js_1.setMember)('{"annotations":{"a":"1"}}', ['annotations'], 'run.oci.handler', '"krun"'), '{"annotations":{"run.oci.handler":"krun","a":"1"}}');
    strict_1.default.equal((0, json_splice_js_1.setMember)('{"annotations":{"run.oci.handler":"wasm"}}', ['annotations'], 'run.oci.handler', '"krun"'), '{"annotations":{"run.oci.handler":"krun"}}');
    strict_1.default.equal((0, json_splice_js_1.setMember)('{"annotations":{}}', ['annotations'], 'k', '"v"'), '{"annotations":{"k":"v"}}');
    strict_1.default.equal((0, json_splice_js_1.setMember)('{"ociVersion":"1.0.2"}', ['annotations'], 'k', '"v"'), '{"annotations":{"k":"v"},"ociVersion":"1.0.2"}');
    JSON.parse((0, json_splice_js_1.setMember)('{ }', ['annotations'], 'k', '"v"'));
});
