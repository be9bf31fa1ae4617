"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const binfmt_ensure_js_1 = require("../../../src/runtime-hook/hook/binfmt-ensure.js");
const cases = [
    { map: '         0          0 4294967295\n', want: true },
    { map: '         0       1000          1\n         1     100000      65536\n', want: false },
    { map: '         0     100000      65536\n', want: false },
];
for (const c of cases) {
    (0, node_test_1.test)(`inInitialUserNs(${JSON.stringify(c.map.trim())}) = ${c.want}`, () => {
        strict_1.default.equal((0, binfmt_ensure_js_1.inInitialUserNs)(c.map), c.want);
    });
}
