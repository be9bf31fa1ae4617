/**
 * FEX's Config.json: {"Config": {"RootFS": "…", …}, "ThunksDB": {…}}, every
 * option a string (FEX's SaveLayerToJSON; Source/Common/Config.cpp). RootFS is
 * an absolute path (a directory, or an EroFS/SquashFS file FEXServer mounts)
 * or a name looked up under `<data dir>/RootFS/` (fex-paths.ts). Setting the
 * RootFS keeps every other key and value as it was, and the file is replaced
 * atomically (a temp file in the same directory, fsync'd, renamed), keeping
 * its mode. The one place fexpod reads or writes that file (`fexpod rootfs`).
 */
import { readFile } from 'node:fs/promises';
import { writeAtomic } from '../common/atomic-write.js';
import { ConfigError, errnoCode } from '../common/errors.js';

export type FexConfig = Record<string, unknown>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Config.json's text parsed and checked; a missing (undefined) or empty file is an empty config. Pure. */
export function parseFexConfig(file: string, text: string | undefined): FexConfig | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, '', 'is not valid JSON, so its RootFS cannot be set without losing settings', 'fix the file (FEXConfig rewrites it), or move it away', err);
  }
  if (!isObject(raw)) throw new ConfigError(file, '', 'must be a JSON object', 'fix the file, or move it away');
  const inner = raw['Config'];
  if (inner !== undefined && !isObject(inner)) throw new ConfigError(file, 'Config', 'must be an object of option strings', 'fix the file, or move it away');
  return raw;
}

export async function readFexConfig(file: string): Promise<FexConfig | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  return parseFexConfig(file, text);
}

/** The configured RootFS, if any. */
export function configuredRootfs(cfg: FexConfig | undefined): string | undefined {
  const inner = cfg?.['Config'];
  if (!isObject(inner)) return undefined;
  const v = inner['RootFS'];
  return typeof v === 'string' ? v : undefined;
}

/** A copy of cfg with Config.RootFS set; nothing else changes (key order kept). Pure. */
export function withRootfs(cfg: FexConfig | undefined, rootfs: string): FexConfig {
  const base = cfg ?? {};
  const inner = (base['Config'] ?? {}) as Record<string, unknown>;
  return { ...base, Config: { ...inner, RootFS: rootfs } };
}

/** Config.json's text with RootFS set (what setFexRootfs writes), its RootFS before, and its text now (undefined: no file). */
export async function planFexRootfs(file: string, rootfs: string): Promise<{ text: string; current?: string; previous?: string }> {
  const current = await readFile(file, 'utf8').catch((err: unknown) => {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  });
  const cfg = parseFexConfig(file, current);
  const previous = configuredRootfs(cfg);
  return { text: JSON.stringify(withRootfs(cfg, rootfs), null, 2) + '\n', ...(current !== undefined ? { current } : {}), ...(previous !== undefined ? { previous } : {}) };
}

/** Sets Config.RootFS in the file (created with its directory when missing); returns the RootFS it named before. */
export async function setFexRootfs(file: string, rootfs: string): Promise<{ previous?: string }> {
  const { text, previous } = await planFexRootfs(file, rootfs);
  await writeAtomic(file, text);
  return previous === undefined ? {} : { previous };
}
