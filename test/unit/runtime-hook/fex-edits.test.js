"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * The hook's FEX edits on the real Podman configs of the corpus: the
 * personality() seccomp rules and FEX's environment. FEX itself does not run
 * here; the lab run (scripts/lab-true-direction.sh --fex) shows them working.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const fex_env_js_1 = require("../../../src/runtime-hook/fex/fex-env.js");
const personality_rule_js_1 = require("../../../src/runtime-hook/fex/personality-rule.js");
const json_splice_js_1 = require("../../../src/runtime-hook/hook/json-splice.js");
const oci_config_js_1 = require("../../../src/runtime-hook/hook/oci-config.js");
const integration_js_1 = require("../../helpers/integration.js");
const configs = (0, node_path_1.join)((0, integration_js_1.corpusDir)(), 'podman-configs');
const files = (0, node_fs_1.readdirSync)(configs).filter((f) => f.endsWith('.json'));
/** Podman 4.3's default profile: 0, 8, 0x20000, 0x20008 and the query 0xffffffff. */
const PODMAN_DEFAULT = [0, 8, 0x20000, 0x20008, 0xffffffff];
const FEX_WANTS = [0x400000, 0x400008, 0x420000, 0x420008, 2 ** 64];
(0, node_test_1.test)('fex personality: the corpus holds every kind of capture the rule must handle', () => {
    strict_1.default.ok(files.includes('rootful-amd64-privileged.json'), 'a capture without seccomp');
    strict_1.default.ok(files.some((f) => f.startsWith('aarch64-crun')), 'a capture from the aarch64 lab');
});
for (const f of files) {
    (0, node_test_1.test)(`fex personality: ${f}`, () => {
        const text = (0, node_fs_1.readFileSync)((0, node_path_1.join)(configs, f), 'utf8');
        const view = (0, oci_config_js_1.readHookView)(text);
        const rules = (0, personality_rule_js_1.personalityRules)(view.seccomp);
        if (!view.seccomp) {
            strict_1.default.deepEqual(rules, [], 'no filter, nothing to widen');
            return;
        }
        strict_1.default.deepEqual((0, personality_rule_js_1.allowedPersonalities)(view.seccomp), PODMAN_DEFAULT);
        const out = (0, json_splice_js_1.appendToArray)(text, ['linux', 'seccomp', 'syscalls'], rules);
        const doc = JSON.parse(out);
        const before = JSON.parse(text);
        const added = doc.linux.seccomp.syscalls.slice(before.linux.seccomp.syscalls.length);
        strict_1.default.deepEqual(added, FEX_WANTS.map((value) => ({ names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value, op: 'SCMP_CMP_EQ' }] })));
        strict_1.default.ok(out.includes(`"value":${personality_rule_js_1.PERSONALITY_QUERY_64},`), 'the 64-bit query is written as an exact integer');
        // Only personality() changes: every other rule, the default action and the architectures stay.
        doc.linux.seccomp.syscalls = doc.linux.seccomp.syscalls.slice(0, before.linux.seccomp.syscalls.length);
        strict_1.default.deepEqual(doc, before);
        // Applying the edit to its own output adds nothing (the hook may see a config twice).
        strict_1.default.deepEqual((0, personality_rule_js_1.personalityRules)((0, oci_config_js_1.readHookView)(out).seccomp), []);
    });
}
const rule = (value, action = 'SCMP_ACT_ALLOW') => ({ names: ['personality'], action, args: [{ index: 0, value, op: 'SCMP_CMP_EQ' }] });
const cases = [
    { name: 'no filter', seccomp: undefined, want: [] },
    { name: 'personality allowed outright', seccomp: { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [] }] }, want: [] },
    { name: 'deny-list profile that does not mention personality', seccomp: { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['kexec_load'], action: 'SCMP_ACT_ERRNO', args: undefined }] }, want: [] },
    { name: 'a profile that does not even allow the query (deliberate): left alone', seccomp: { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [rule(0)] }, want: [] },
    { name: 'query and PER_LINUX only', seccomp: { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [rule(0), rule(0xffffffff)] }, want: [personality_rule_js_1.READ_IMPLIES_EXEC, personality_rule_js_1.PERSONALITY_QUERY_64] },
    { name: 'a value already allowed is not added twice', seccomp: { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [rule(0), rule(0xffffffff), rule(personality_rule_js_1.READ_IMPLIES_EXEC)] }, want: [personality_rule_js_1.PERSONALITY_QUERY_64] },
    { name: 'an errno rule for a value does not count as allowed', seccomp: { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [rule(0), rule(0xffffffff), rule(8, 'SCMP_ACT_ERRNO')] }, want: [personality_rule_js_1.READ_IMPLIES_EXEC, personality_rule_js_1.PERSONALITY_QUERY_64] },
];
for (const c of cases) {
    (0, node_test_1.test)(`fex personality: ${c.name}`, () => {
        const got = (0, personality_rule_js_1.personalityRules)(c.seccomp).map((r) => JSON.parse(r.replace(personality_rule_js_1.PERSONALITY_QUERY_64, `"${personality_rule_js_1.PERSONALITY_QUERY_64}"`)).args[0].value);
        strict_1.default.deepEqual(got, c.want);
    });
}
(0, node_test_1.test)('fex env: the data directory ends in "/" (FEX appends "Server/" to it verbatim)', () => {
    strict_1.default.ok(fex_env_js_1.FEX_CONTAINER_DATA_DIR.endsWith('/'));
    strict_1.default.ok(fex_env_js_1.FEX_CONTAINER_DATA_DIR.startsWith('/tmp/'));
});
(0, node_test_1.test)('fex env: one FEXServer socket name per container, fit for an abstract address', () => {
    const a = (0, fex_env_js_1.fexServerSocketName)('/var/lib/containers/storage/overlay/a26f2291abed9075b40b4c5a9a606bb6142a6b886d3c8380e50b110dc2e38aad/merged');
    const b = (0, fex_env_js_1.fexServerSocketName)('/var/lib/containers/storage/overlay/0e675d7e3db327f34c0b1dd320de883f019ac503215da7f0a0ddff86bc360e52/merged');
    strict_1.default.notEqual(a, b);
    strict_1.default.equal(a, (0, fex_env_js_1.fexServerSocketName)('/var/lib/containers/storage/overlay/a26f2291abed9075b40b4c5a9a606bb6142a6b886d3c8380e50b110dc2e38aad/merged'));
    strict_1.default.match(a, /^fexpod-[0-9a-f]{16}\.FEXServer\.Socket$/);
    strict_1.default.ok(a.length < 107, 'sun_path holds 108 bytes, one for the leading NUL');
    strict_1.default.ok(!a.startsWith('/'), 'a name, so the file-socket fallback lands in the container\'s $TMPDIR');
    strict_1.default.deepEqual(Object.keys((0, fex_env_js_1.fexContainerEnv)('/x')), ['FEX_APP_DATA_LOCATION', 'FEX_SERVERSOCKETPATH']);
    strict_1.default.deepEqual(Object.keys((0, fex_env_js_1.fexContainerEnv)(undefined)), ['FEX_APP_DATA_LOCATION']);
});
