import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inInitialUserNs } from '../../../src/runtime-hook/hook/binfmt-ensure.js';

const cases: { map: string; want: boolean }[] = [
  { map: '         0          0 4294967295\n', want: true },
  { map: '         0       1000          1\n         1     100000      65536\n', want: false },
  { map: '         0     100000      65536\n', want: false },
];
for (const c of cases) {
  test(`inInitialUserNs(${JSON.stringify(c.map.trim())}) = ${c.want}`, () => {
    assert.equal(inInitialUserNs(c.map), c.want);
  });
}
