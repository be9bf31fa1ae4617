/**
 * erofs-utils 1.8.6 as scripts/build-erofs-utils.sh builds it (setup.sh runs it): beside
 * Debian 12's 1.5, which stays first on PATH. A test puts this build first on PATH for the
 * --tar path and runs its fsck.erofs, dump.erofs and erofsfuse by full path.
 * FEXPOD_TEST_EROFS_UTILS names another prefix.
 */
import { join } from 'node:path';
import { fileExists, type Requirement } from './integration.js';

export const EROFS_UTILS_PREFIX = process.env['FEXPOD_TEST_EROFS_UTILS'] ?? '/opt/fexpod-test/erofs-utils-1.8.6';
export const EROFS_UTILS_BIN = join(EROFS_UTILS_PREFIX, 'bin');

export function erofsUtils18(): Requirement {
  const r = ['mkfs.erofs', 'fsck.erofs', 'erofsfuse'].map((p) => fileExists(join(EROFS_UTILS_BIN, p)));
  return { what: `erofs-utils 1.8.6 in ${EROFS_UTILS_PREFIX} (sudo scripts/build-erofs-utils.sh)`, ok: r.every((x) => x.ok) };
}

/** The environment with erofs-utils 1.8.6 first on PATH. */
export function withErofsUtils18(env: Readonly<Record<string, string | undefined>> = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  out['PATH'] = `${EROFS_UTILS_BIN}:${env['PATH'] ?? '/usr/bin:/bin'}`;
  return out;
}

/** The --tar path's tool. */
export const erofsTool = (name: 'fsck.erofs' | 'dump.erofs' | 'erofsfuse'): string => join(EROFS_UTILS_BIN, name);
