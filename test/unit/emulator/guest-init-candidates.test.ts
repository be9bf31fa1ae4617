import { test } from 'node:test';
import assert from 'node:assert/strict';
import { guestInitCandidates } from '../../../src/emulator/microvm/guest-init.js';

// Where fexpod looks for fexpod-guest-init: npm run build's dist/native, then the
// package's libexec derived from where the application is installed.
const cases: { name: string; dist: string; want: string[] }[] = [
  { name: 'a checkout: dist/native only', dist: '/home/u/fexpod/dist/', want: ['/home/u/fexpod/dist/native/fexpod-guest-init'] },
  { name: 'the RPM: %{_libexecdir}/fexpod', dist: '/usr/lib/node_modules/fexpod/dist/', want: ['/usr/lib/node_modules/fexpod/dist/native/fexpod-guest-init', '/usr/libexec/fexpod/fexpod-guest-init'] },
  { name: 'the RPM unpacked under another root', dist: '/tmp/r/usr/lib/node_modules/fexpod/dist', want: ['/tmp/r/usr/lib/node_modules/fexpod/dist/native/fexpod-guest-init', '/tmp/r/usr/libexec/fexpod/fexpod-guest-init'] },
  { name: 'npm install -g under /usr/local', dist: '/usr/local/lib/node_modules/fexpod/dist', want: ['/usr/local/lib/node_modules/fexpod/dist/native/fexpod-guest-init', '/usr/local/libexec/fexpod/fexpod-guest-init'] },
];

for (const c of cases) {
  test(`guestInitCandidates: ${c.name}`, () => assert.deepEqual(guestInitCandidates(c.dist), c.want));
}
