"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const strict_1 = __importDefault(require("node:assert/strict"));
const node_test_1 = require("node:test");
const file_caps_js_1 = require("../../../src/builder/rpm/file-caps.js");
// Byte vectors captured on this machine (libcap2-bin 2.66, kernel 6.18) with
//   setcap "<text>" f && getfattr -n security.capability -e hex f
const vectors = [
    { text: 'cap_net_raw=ep', hex: '0100000200200000000000000000000000000000' },
    { text: 'cap_net_raw+p', hex: '0000000200200000000000000000000000000000' },
    { text: 'cap_sys_admin,cap_net_bind_service=eip', hex: '0100000200042000000420000000000000000000' },
    { text: 'cap_net_bind_service,cap_sys_admin=eip', hex: '0100000200042000000420000000000000000000' },
    { text: '=ep', hex: '01000002ffffffff00000000ff01000000000000' },
    { text: 'cap_checkpoint_restore=ep', hex: '0100000200000000000000000001000000000000' },
    { text: 'CAP_NET_RAW=pe', hex: '0100000200200000000000000000000000000000' },
    { text: 'all=ep cap_sys_admin-ep', hex: '01000002ffffdfff00000000ff01000000000000' },
    // An empty set is still written (rpm's %caps(=) and %caps(); rpm -i and setcap both do)
    { text: '=', hex: '0000000200000000000000000000000000000000' },
    { text: 'cap_kill=ep cap_kill-eip', hex: '0000000200000000000000000000000000000000' },
];
for (const v of vectors) {
    (0, node_test_1.test)(`FILECAPS "${v.text}" gives the xattr setcap writes`, () => {
        const x = (0, file_caps_js_1.fileCapsXattr)(v.text);
        strict_1.default.ok(x);
        strict_1.default.equal(Buffer.from(x).toString('hex'), v.hex);
    });
}
(0, node_test_1.test)('no capability text (no FILECAPS for the file) gives no xattr', () => {
    strict_1.default.equal((0, file_caps_js_1.fileCapsXattr)(''), undefined);
    strict_1.default.equal((0, file_caps_js_1.fileCapsXattr)('  '), undefined);
});
(0, node_test_1.test)('sets are parsed separately', () => {
    const s = (0, file_caps_js_1.parseCapabilityText)('cap_kill=p cap_chown+i');
    strict_1.default.equal(s.permitted, 1n << 5n);
    strict_1.default.equal(s.inheritable, 1n);
    strict_1.default.equal(s.effective, 0n);
});
for (const bad of ['cap_bogus=ep', 'cap_kill', 'cap_kill=x']) {
    (0, node_test_1.test)(`bad capability text "${bad}" is rejected`, () => {
        strict_1.default.throws(() => (0, file_caps_js_1.fileCapsXattr)(bad), file_caps_js_1.CapabilityTextError);
    });
}
