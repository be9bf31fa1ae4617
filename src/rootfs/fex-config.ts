/**
 * FEX's Config.json: {"Config": {"RootFS": "…", …}, "ThunksDB": {…}}, every
 * option a string (FEX's SaveLayerToJSON). Setting the RootFS keeps every
 * other key and value as it was, and the file is replaced atomically (a
 * temp file in the same directory, fsync'd, renamed), keeping its mode.
 */
import { readFile } from 'node:fs/promises';
import { writeAtomic } from '../common/atomic-write.js';
import { ConfigError, errnoCode } from '../common/errors.js';

export type FexConfig = Record<string, unknown>;

export async function readFexConfig(file: string): Promise<FexConfig | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, '', 'is not valid JSON, so its RootFS cannot be set without losing settings', 'fix the file (FEXConfig rewrites it), or move it away', err);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(file, '', 'must be a JSON object', 'fix the file, or move it away');
  const cfg = raw as FexConfig;
  const inner = cfg['Config'];
  if (inner !== undefined && (inner === null || typeof inner !== 'object' || Array.isArray(inner))) {
    throw new ConfigError(file, 'Config', 'must be an object of option strings', 'fix the file, or move it away');
  }
  return cfg;
}

/** The configured RootFS, if any. */
export function configuredRootfs(cfg: FexConfig | undefined): string | undefined {
  const inner = cfg?.['Config'];
  if (inner === null || typeof inner !== 'object') return undefined;
  const v = (inner as Record<string, unknown>)['RootFS'];
  return typeof v === 'string' ? v : undefined;
}

/** A copy of cfg with Config.RootFS set; nothing else changes (key order kept). */
export function withRootfs(cfg: FexConfig | undefined, rootfs: string): FexConfig {
  const base = cfg ?? {};
  const inner = (base['Config'] ?? {}) as Record<string, unknown>;
  return { ...base, Config: { ...inner, RootFS: rootfs } };
}

export async function setFexRootfs(file: string, rootfs: string): Promise<{ previous?: string }> {
  const cfg = await readFexConfig(file);
  const previous = configuredRootfs(cfg);
  await writeAtomic(file, JSON.stringify(withRootfs(cfg, rootfs), null, 2) + '\n');
  return previous === undefined ? {} : { previous };
}
