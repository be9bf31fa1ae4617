/**
 * Podman drops a hook's stderr, so the hook logs to a file. Logging must never
 * fail the hook: every error here is swallowed.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../../common/log.js';

export const DEFAULT_HOOK_LOG = '/var/log/fexpod/hook.log';

export function fileLogger(path: string, tag: string, now: () => Date = () => new Date(), debug = false): Logger {
  let dirMade = false;
  const emit = (level: string, msg: string) => {
    try {
      if (!dirMade) {
        mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
        dirMade = true;
      }
      appendFileSync(path, `${now().toISOString()} ${tag} ${level}: ${msg}\n`, { mode: 0o644 });
    } catch {
      /* nowhere left to report to */
    }
  };
  return {
    debug: (m) => {
      if (debug) emit('debug', m);
    },
    info: (m) => emit('info', m),
    warn: (m) => emit('warn', m),
    error: (m) => emit('error', m),
  };
}
