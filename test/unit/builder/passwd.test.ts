import assert from 'node:assert/strict';
import { test } from 'node:test';
import { idMap, parseIdFile, sysusersIds } from '../../../src/builder/tree/passwd.js';

test('passwd and group parse name -> id; root falls back to 0', () => {
  assert.deepEqual([...parseIdFile('root:x:0:0:root:/root:/bin/bash\nbin:x:1:1::/:/sbin/nologin\n#c\nbad\n')], [['root', 0], ['bin', 1]]);
  const m = idMap(undefined, 'wheel:x:10:\n');
  assert.equal(m.users.get('root'), 0);
  assert.equal(m.groups.get('wheel'), 10);
});

test('sysusers.d: u with id, u with uid:gid, g; dynamic ids are skipped', () => {
  const m = sysusersIds(['u a 10 "x"\nu b 11:12\ng c 13\nu d -\ng e /path\n', 'u a 99\n']);
  assert.deepEqual([...m.users], [['a', 10], ['b', 11]]);
  assert.deepEqual([...m.groups], [['a', 10], ['b', 12], ['c', 13]]);
});
