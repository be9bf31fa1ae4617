/**
 * Imported first by hook-main.ts: on Node ≥ 22.1 (Fedora's default Node),
 * turns on Node's on-disk compile cache so that every later hook start skips
 * compiling its modules again. Older Node has no such API: nothing happens.
 * Failures (a rootless user cannot write the directory) are silent by design.
 */
import * as nodeModule from 'node:module';

export const HOOK_COMPILE_CACHE = '/var/cache/fexpod/hook-compile-cache';

const enable: unknown = Reflect.get(nodeModule, 'enableCompileCache');
if (typeof enable === 'function') {
  try {
    enable.call(nodeModule, HOOK_COMPILE_CACHE);
  } catch {
    /* no cache: the hook only starts slower */
  }
}
