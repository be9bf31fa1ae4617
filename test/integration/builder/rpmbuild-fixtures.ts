/** Builds the test RPMs in test/fixtures/builder with the real rpmbuild (test-only). */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../helpers/integration.js';

export const PAYLOADS = [
  { name: 'gzip', macro: 'w9.gzdio' },
  { name: 'xz', macro: 'w6.xzdio' },
  { name: 'bzip2', macro: 'w9.bzdio' },
  { name: 'zstd', macro: 'w19.zstdio' },
  // no PAYLOADCOMPRESSOR tag at all: a plain cpio payload, which rpm reads through gzdio's
  // transparent mode
  { name: 'uncompressed', macro: 'w.ufdio' },
] as const;

/** rpmbuild -bb of a fixture spec into `top`; returns the path of the binary RPM. */
export function buildFixture(spec: string, top: string, payload = 'w19.zstdio'): string {
  const r = spawnSync(
    'rpmbuild',
    ['-bb', '--quiet', '--define', `_topdir ${top}`, '--define', `_binary_payload ${payload}`,
      '--define', '_buildhost fexpod.test', '--define', 'source_date_epoch_from_changelog 0',
      '--define', 'use_source_date_epoch_as_buildtime 1', '--define', 'clamp_mtime_to_source_date_epoch 1',
      join(repoRoot(), 'test', 'fixtures', 'builder', spec)],
    { encoding: 'utf8', env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' } },
  );
  if (r.status !== 0) throw new Error(`rpmbuild ${spec} failed: ${r.stderr}`);
  const dir = join(top, 'RPMS', 'noarch');
  const rpm = readdirSync(dir).find((f) => f.startsWith(spec.replace(/\.spec$/, '')) && f.endsWith('.rpm'));
  if (!rpm) throw new Error(`rpmbuild ${spec}: no RPM in ${dir}`);
  return join(dir, rpm);
}
