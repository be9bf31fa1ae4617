/**
 * A stand-in for /proc/sys/fs/binfmt_misc in unit tests: an in-memory table of
 * entries that records what the hook registers. (The integration tests use the
 * real kernel interface.)
 */
import type { BinfmtDeps, EntryState } from '../../../src/runtime-hook/hook/binfmt-ensure.js';

export function binfmtStandIn(init: Record<string, EntryState> = {}, opts: { privileged?: boolean; mounted?: boolean; failWith?: string } = {}) {
  const entries = new Map<string, EntryState>(Object.entries(init));
  const registered: string[] = [];
  let mounted = opts.mounted ?? true;
  const deps: BinfmtDeps = {
    mounted: () => mounted,
    mount: () => {
      mounted = true;
    },
    entry: (name) => (mounted ? (entries.get(name) ?? 'missing') : 'missing'),
    register(line) {
      if (opts.failWith) throw Object.assign(new Error(opts.failWith), { code: opts.failWith });
      registered.push(line);
      const name = line.split(':')[1] ?? '';
      entries.set(name, 'enabled');
    },
    privileged: () => opts.privileged ?? true,
  };
  return { deps, registered, entries };
}
