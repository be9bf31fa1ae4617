import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CapabilityTextError, fileCapsXattr, parseCapabilityText } from '../../../src/builder/rpm/file-caps.js';

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
  test(`FILECAPS "${v.text}" gives the xattr setcap writes`, () => {
    const x = fileCapsXattr(v.text);
    assert.ok(x);
    assert.equal(Buffer.from(x).toString('hex'), v.hex);
  });
}

test('no capability text (no FILECAPS for the file) gives no xattr', () => {
  assert.equal(fileCapsXattr(''), undefined);
  assert.equal(fileCapsXattr('  '), undefined);
});

test('sets are parsed separately', () => {
  const s = parseCapabilityText('cap_kill=p cap_chown+i');
  assert.equal(s.permitted, 1n << 5n);
  assert.equal(s.inheritable, 1n);
  assert.equal(s.effective, 0n);
});

for (const bad of ['cap_bogus=ep', 'cap_kill', 'cap_kill=x']) {
  test(`bad capability text "${bad}" is rejected`, () => {
    assert.throws(() => fileCapsXattr(bad), CapabilityTextError);
  });
}
