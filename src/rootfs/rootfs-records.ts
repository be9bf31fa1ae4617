/**
 * fexpod's record of installed RootFS/overlay files (digest and source, which
 * the files themselves do not carry), and the listing that joins it with what
 * is actually in FEX's directories.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, errnoCode } from '../common/errors.js';
import { writeAtomic } from '../common/atomic-write.js';

const recordSchema = z.object({
  name: z.string(),
  role: z.enum(['rootfs', 'overlay']),
  kind: z.enum(['erofs', 'squashfs']),
  path: z.string(),
  digest: z.string(),
  size: z.number(),
  source: z.string(),
  installedAt: z.string(),
});
export type InstallRecord = z.infer<typeof recordSchema>;
const fileSchema = z.object({ version: z.literal(1), installed: z.array(recordSchema) });

export async function readRecords(file: string): Promise<InstallRecord[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return [];
    throw err;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, '', 'is not valid JSON', 'remove it; the next fexpod rootfs install writes it again', err);
  }
  const r = fileSchema.safeParse(raw);
  if (!r.success) throw new ConfigError(file, r.error.issues[0]?.path.join('.') ?? '', r.error.issues[0]?.message ?? 'invalid', 'remove it; the next fexpod rootfs install writes it again');
  return r.data.installed;
}

/** The records file's text (sorted by path). */
export function formatRecords(records: readonly InstallRecord[]): string {
  const sorted = [...records].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return JSON.stringify({ version: 1, installed: sorted }, null, 2) + '\n';
}

export async function writeRecords(file: string, records: readonly InstallRecord[]): Promise<void> {
  await writeAtomic(file, formatRecords(records));
}

export interface ListedRootfs {
  readonly scope: 'system' | 'user';
  readonly role: 'rootfs' | 'overlay';
  readonly name: string;
  readonly path: string;
  readonly size: number;
  /** From fexpod's record; absent for files fexpod did not install. */
  readonly digest?: string;
  readonly source?: string;
  readonly installedAt?: string;
  /** Whether that scope's Config.json names it as the RootFS. */
  readonly active: boolean;
  /** The file changed since it was installed (size differs from the record). */
  readonly modified?: boolean;
}

/** Files in DIR/RootFS and DIR/overlays joined with the records of that scope. */
export async function listScope(scope: 'system' | 'user', dataDir: string, records: readonly InstallRecord[], activeName: string | undefined): Promise<ListedRootfs[]> {
  const out: ListedRootfs[] = [];
  for (const role of ['rootfs', 'overlay'] as const) {
    const dir = join(dataDir, role === 'rootfs' ? 'RootFS' : 'overlays');
    const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => !n.startsWith('.')).sort();
    for (const name of names) {
      const path = join(dir, name);
      const st = await stat(path).catch(() => undefined);
      if (!st) continue;
      const rec = records.find((r) => r.path === path);
      out.push({
        scope, role, name, path, size: st.size,
        ...(rec ? { digest: rec.digest, source: rec.source, installedAt: rec.installedAt, modified: rec.size !== st.size } : {}),
        active: role === 'rootfs' && activeName !== undefined && (activeName === name || activeName === path),
      });
    }
  }
  return out;
}
