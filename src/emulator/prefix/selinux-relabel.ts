/**
 * SELinux labels for the staged prefixes. Fedora runs containers as
 * container_t, which may not execute files labelled var_lib_t; the fexpod
 * policy module (packaging/selinux) gives <stateDir>/prefix the file context
 * container_ro_file_t. New files inherit their parent directory's label, not
 * the file context, so after staging the tree is relabelled with restorecon —
 * where SELinux is on and restorecon exists; elsewhere this does nothing.
 */
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';

const run = promisify(execFile);

export const SELINUX_ENFORCE = '/sys/fs/selinux/enforce';

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Runs `restorecon -R <stateDir>/prefix` when SELinux is enabled. Returns whether it ran. */
export async function relabelPrefixes(stateDir: string, env: Readonly<Record<string, string | undefined>>, log: Logger): Promise<boolean> {
  const prefixRoot = join(stateDir, 'prefix');
  if (!(await exists(SELINUX_ENFORCE)) || !(await exists(prefixRoot))) return false;
  try {
    await run('restorecon', ['-R', prefixRoot], { env: { PATH: env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin' }, timeout: 60_000 });
    log.info(`relabelled ${prefixRoot} (restorecon)`);
    return true;
  } catch (err) {
    log.warn(`restorecon -R ${prefixRoot} failed (${errorMessage(err)}); containers may not be allowed to run the staged emulator. Install fexpod-selinux, or: semanage fcontext -a -t container_ro_file_t '${prefixRoot}(/.*)?' && restorecon -R ${prefixRoot}`);
    return false;
  }
}
