"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const dnf_vars_js_1 = require("../../../src/builder/repo/dnf-vars.js");
const vars = { ...(0, dnf_vars_js_1.builtinVars)('10.2', 'x86_64'), a: 'A', empty: '' };
// The semantics of libdnf's ConfigParser::substitute (libdnf#1622) and dnf5's Vars (dnf5#800).
const cases = [
    { text: 'no variables', want: 'no variables' },
    { text: '$a-${a}', want: 'A-A' },
    { text: '$releasever $releasever_major ${releasever_minor}', want: '10.2 10 2' },
    { text: '$basearch/$arch', want: 'x86_64/x86_64' },
    { text: 'cost: 5$', want: 'cost: 5$', note: 'a $ before no name stays' },
    { text: '$/x', want: '$/x' },
    { text: '${nope:-d}|${empty:-d}|${a:-d}', want: 'd|d|A' },
    { text: '${nope:+x}|${empty:+x}|${a:+x}', want: '||x' },
    { text: '${nope:-${empty:-${a:+deep}}}', want: 'deep', note: 'nested words' },
    { text: '${nope:-a}b}', want: 'ab}', note: 'a "}" after the expression is text' },
    { text: '\\$a \\\\ \\x', want: '$a \\ x', note: 'backslash escapes the next character' },
    { text: 'trailing\\', want: 'trailing\\' },
    { text: '${a:-has \\} brace}', want: 'A' },
    { text: '${nope:-has \\} brace}', want: 'has } brace' },
];
for (const c of cases) {
    (0, node_test_1.test)(`expandDnfVars(${JSON.stringify(c.text)}) = ${JSON.stringify(c.want)}${c.note ? ` (${c.note})` : ''}`, () => {
        strict_1.default.equal((0, dnf_vars_js_1.expandDnfVars)(c.text, vars), c.want);
    });
}
const errors = [
    { text: 'http://h/$nope/', msg: 'undefined variable $nope', name: 'nope' },
    { text: 'http://h/${nope}/', msg: 'undefined variable ${nope}', name: 'nope' },
    { text: '${nope:-$other}', msg: 'undefined variable $other', name: 'other' },
    { text: '${a:?x}', msg: '"${a:?…" is not a form dnf knows: use ${a}, ${a:-default} or ${a:+alternate}', name: undefined },
    { text: '${a:-x', msg: '"${a:-…" has no closing "}"', name: undefined },
    { text: '${a', msg: '"${a" has no closing "}"', name: undefined },
    { text: '${}', msg: '"${" at offset 0 is not followed by a variable name', name: undefined },
    { text: `${'${x:-'.repeat(40)}${'}'.repeat(40)}`, msg: 'variables nested deeper than 32 levels', name: undefined },
];
for (const c of errors) {
    (0, node_test_1.test)(`expandDnfVars refuses ${JSON.stringify(c.text.slice(0, 20))}: ${c.msg}`, () => {
        strict_1.default.throws(() => (0, dnf_vars_js_1.expandDnfVars)(c.text, vars), (e) => e instanceof dnf_vars_js_1.VarSyntaxError && e.message === c.msg && e.undefinedVar === c.name);
    });
}
