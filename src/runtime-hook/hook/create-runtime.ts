/**
 * The createRuntime hook, for `podman build` RUN steps: buildah ignores
 * precreate hooks (and fails on a precreate hook in its default directory), but
 * runs createRuntime hooks from /usr/share/containers/oci/hooks.d and
 * /etc/containers/oci/hooks.d. It gets the OCI *state* (pid, bundle), reads
 * <bundle>/config.json, and when the container is foreign bind-mounts the
 * emulator prefix inside the container's mount namespace.
 *
 * createRuntime runs after the runtime built the container's mount namespace
 * and before pivot_root (runc): the host's paths are still visible there, so
 * the mount is `nsenter --mount` + `mount --bind` onto <rootfs><prefix>. If the
 * runtime already pivoted, the host prefix is out of reach: the hook logs it
 * and leaves the container alone.
 */
import { isAbsolute, join } from 'node:path';
import type { Logger } from '../../common/log.js';
import { errorMessage } from '../../common/errors.js';
import { readHookView, readOciState } from './oci-config.js';
import { planFor, type PlanDeps } from './foreign-plan.js';
import { PREFIX_MOUNT_OPTIONS, hasMountAt } from './spec-edits.js';

export interface CreateRuntimeDeps extends PlanDeps {
  readonly log: Logger;
  readConfig(bundle: string): string;
  /** Target of /proc/<pid>/root as seen from the host ("/" until pivot_root). */
  processRoot(pid: number): string;
  /** Creates `path` (absolute in the container) under `root` without following symlinks. */
  makeMountPoint(root: string, path: string): void;
  /** Whether `hostPath` is already a mount point in pid's mount namespace. */
  isMounted(pid: number, hostPath: string): boolean;
  bindMount(pid: number, source: string, target: string, options: readonly string[]): void;
}

export type CreateRuntimeOutcome = 'native' | 'unchanged' | 'mounted' | 'failed';

export function createRuntime(stdin: string, d: CreateRuntimeDeps): CreateRuntimeOutcome {
  try {
    const state = readOciState(stdin);
    const view = readHookView(d.readConfig(state.bundle));
    if (!view.rootPath) {
      d.log.warn(`${state.id}: config has no root.path`);
      return 'unchanged';
    }
    const rootPath = isAbsolute(view.rootPath) ? view.rootPath : join(state.bundle, view.rootPath);
    const plan = planFor(view, rootPath, d);
    if (plan.kind === 'native') {
      d.log.debug(`${state.id}: native: ${plan.why}`);
      return 'native';
    }
    if (plan.kind === 'skip') {
      d.log.info(`${state.id}: unchanged: ${plan.why}${plan.fix ? ` (fix: ${plan.fix})` : ''}`);
      return 'unchanged';
    }
    if (plan.kind !== 'foreign') {
      // createRuntime serves `podman build`, which asks no microVM route (no microVmHost): never here.
      d.log.info(`${state.id}: unchanged: ${plan.why}`);
      return 'unchanged';
    }
    const prefix = plan.reg.prefix;
    if (prefix === undefined) {
      d.log.info(`${state.id}: foreign, static emulator, nothing to mount: ${plan.why}`);
      return 'unchanged';
    }
    if (hasMountAt(view, prefix)) {
      d.log.debug(`${state.id}: ${prefix} already in the config's mounts`);
      return 'unchanged';
    }
    const nsRoot = d.processRoot(state.pid);
    if (nsRoot !== '/') {
      d.log.warn(`${state.id}: the runtime already switched the container's root (${nsRoot}); cannot reach ${prefix} from there`);
      return 'failed';
    }
    const target = join(rootPath, prefix);
    if (d.isMounted(state.pid, target)) {
      d.log.debug(`${state.id}: ${target} is already mounted`);
      return 'unchanged';
    }
    d.makeMountPoint(rootPath, prefix);
    d.bindMount(state.pid, prefix, target, PREFIX_MOUNT_OPTIONS.filter((o) => o !== 'bind'));
    d.log.info(`${state.id}: foreign: ${plan.why}; bind-mounted ${prefix} in the container's mount namespace`);
    return 'mounted';
  } catch (err) {
    d.log.error(`createRuntime: leaving the container alone after an error: ${errorMessage(err)}`);
    return 'failed';
  }
}
