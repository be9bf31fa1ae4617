"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const strict_1 = __importDefault(require("node:assert/strict"));
const node_test_1 = require("node:test");
const passwd_js_1 = require("../../../src/builder/tree/passwd.js");
(0, node_test_1.test)('passwd and group parse name -> id; root falls back to 0', () => {
    strict_1.default.deepEqual([...(0, passwd_js_1.parseIdFile)('root:x:0:0:root:/root:/bin/bash\nbin:x:1:1::/:/sbin/nologin\n#c\nbad\n')], [['root', 0], ['bin', 1]]);
    const m = (0, passwd_js_1.idMap)(undefined, 'wheel:x:10:\n');
    strict_1.default.equal(m.users.get('root'), 0);
    strict_1.default.equal(m.groups.get('wheel'), 10);
});
(0, node_test_1.test)('sysusers.d: u with id, u with uid:gid, g; dynamic ids are skipped', () => {
    const m = (0, passwd_js_1.sysusersIds)(['u a 10 "x"\nu b 11:12\ng c 13\nu d -\ng e /path\n', 'u a 99\n']);
    strict_1.default.deepEqual([...m.users], [['a', 10], ['b', 11]]);
    strict_1.default.deepEqual([...m.groups], [['a', 10], ['b', 12], ['c', 13]]);
});
