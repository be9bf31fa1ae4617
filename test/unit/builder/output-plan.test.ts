/**
 * planOutputs' RPM for an overlay: the shipped Mesa overlay definition, and
 * any overlay without erofs_name, installs where muvm mounts overlays without
 * -f (AsahiLinux/muvm muvm.rs default_disks: overlays/mesa-i386.erofs, then
 * mesa-x86_64.erofs over it), so `build --format rpm` needs no renaming.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDefinition } from '../../../src/builder/definition.js';
import { planOutputs } from '../../../src/builder/outputs/output-plan.js';
import { muvmNote } from '../../../src/builder/outputs/rpm-package.js';
import { repoRoot } from '../../helpers/integration.js';

const plan = (file: string, text: string) =>
  planOutputs({ definition: parseDefinition(file, text), outDir: '/out', formats: ['erofs', 'rpm'], layer: {}, entries: [], sourceDateEpoch: 1_700_000_000 });

test('images/mesa-overlay-fedora.toml: its EroFS is mesa-x86_64.erofs and its RPM installs overlays/mesa-x86_64.erofs, no warning', () => {
  const file = join(repoRoot(), 'images', 'mesa-overlay-fedora.toml');
  const p = plan(file, readFileSync(file, 'utf8'));
  assert.equal(p.names.erofs, 'mesa-x86_64.erofs');
  assert.equal(p.rpm?.role, 'overlay');
  assert.equal(p.rpm?.fileName, 'mesa-x86_64.erofs');
  assert.equal(muvmNote(p.rpm ?? assert.fail('no rpm')), undefined);
});

const overlay = (arches: string, extra = '') => `name = "gl"\nrelease = 42\narches = [${arches}]\nprofile = "overlay"\nbase = "fex-rootfs-fedora.toml"\npackages = ["mesa-dri-drivers"]\n${extra}`;
const cases = [
  { name: 'x86_64 + i686, no erofs_name', text: overlay('"x86_64", "i686"'), erofs: 'gl.erofs', installed: 'mesa-x86_64.erofs' },
  { name: 'i686 only, no erofs_name', text: overlay('"i686"'), erofs: 'gl.erofs', installed: 'mesa-i386.erofs' },
  { name: 'an explicit erofs_name is kept (and warned about)', text: overlay('"x86_64"', '[outputs]\nerofs_name = "gl.erofs"\n'), erofs: 'gl.erofs', installed: 'gl.erofs' },
];
for (const c of cases) {
  test(`overlay RPM file name: ${c.name}`, () => {
    const p = plan('/defs/gl.toml', c.text);
    assert.equal(p.names.erofs, c.erofs);
    assert.equal(p.rpm?.fileName, c.installed);
    assert.match(p.rpm?.description ?? '', new RegExp(`image ${c.installed.replace(/\./g, '\\.')} that`));
  });
}
