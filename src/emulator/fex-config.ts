/**
 * The RootFS named in FEX's Config.json — a minimal step of its own until
 * `fexpod rootfs install` (which installs a published RootFS and sets the same
 * key) replaces it. Config.json is `{"Config": {"RootFS": "…", …}, …}`, every
 * option a string (FEX: Source/Common/Config.cpp, FEXCore Config.json.in);
 * RootFS is an absolute path (a directory, or an EroFS/SquashFS file FEXServer
 * mounts) or a name looked up under `<data dir>/RootFS/`. The global file is
 * `/usr/share/fex-emu/Config.json`, the user's `$XDG_CONFIG_HOME/fex-emu/` or
 * `~/.fex-emu/Config.json`. Setting the RootFS keeps every other key.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, errnoCode } from '../common/errors.js';
import { writeFileAtomic } from '../common/atomic-write.js';

export const GLOBAL_FEX_CONFIG = '/usr/share/fex-emu/Config.json';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The parsed Config.json (an empty one for a missing or empty file). */
function parseFexConfig(file: string, text: string | undefined): { doc: Record<string, unknown>; inner: Record<string, unknown> } {
  let doc: unknown = {};
  if (text !== undefined && text.trim() !== '') {
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(file, '', 'is not valid JSON, so its RootFS cannot be set without losing settings', 'fix the file (FEXConfig rewrites it), or move it away', err);
    }
  }
  if (!isObject(doc)) throw new ConfigError(file, '', 'must be a JSON object', 'fix the file, or move it away');
  const inner = doc['Config'] ?? {};
  if (!isObject(inner)) throw new ConfigError(file, 'Config', 'must be an object of option strings', 'fix the file, or move it away');
  return { doc, inner };
}

/** Config.json text with Config.RootFS set; `text` undefined for a new file. Pure. */
export function withRootFS(file: string, text: string | undefined, rootfs: string): string {
  const { doc, inner } = parseFexConfig(file, text);
  return `${JSON.stringify({ ...doc, Config: { ...inner, RootFS: rootfs } }, null, 2)}\n`;
}

/** Sets the RootFS in a Config.json file, atomically. Returns the RootFS it named before, if any. */
export function setFexRootFS(file: string, rootfs: string): string | undefined {
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
  const before = parseFexConfig(file, text).inner['RootFS'];
  writeFileAtomic(file, withRootFS(file, text, rootfs));
  return typeof before === 'string' ? before : undefined;
}
