/**
 * An in-memory filesystem for the emulator unit tests: files with bytes and
 * an executable bit, symlinks (absolute or relative), directories implied by
 * paths. Enough for discovery, closure walking and prefix staging.
 */
import { dirname, posix } from 'node:path';

export interface FakeNode {
  bytes?: Uint8Array | string;
  exec?: boolean;
  link?: string;
}

export class FakeFs {
  readonly files = new Map<string, { bytes: Uint8Array; mode: number; uid?: number }>();
  readonly links = new Map<string, string>();
  readonly dirs = new Set<string>(['/']);

  constructor(tree: Record<string, FakeNode> = {}) {
    for (const [p, n] of Object.entries(tree)) {
      if (n.link !== undefined) this.symlink(p, n.link);
      else this.put(p, n.bytes ?? '', n.exec ? 0o755 : 0o644);
    }
  }

  private mkdirs(p: string): void {
    for (let d = p; !this.dirs.has(d); d = dirname(d)) this.dirs.add(d);
  }
  put(p: string, bytes: Uint8Array | string, mode = 0o644): void {
    this.mkdirs(dirname(p));
    this.files.set(p, { bytes: typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes, mode });
  }
  symlink(p: string, target: string): void {
    this.mkdirs(dirname(p));
    this.links.set(p, target);
  }

  /** Resolves symlinks in every component; undefined when something is missing. */
  resolve(p: string, depth = 0): string | undefined {
    if (depth > 40) return undefined;
    const parts = posix.normalize(p).split('/').filter(Boolean);
    let cur = '/';
    for (let i = 0; i < parts.length; i++) {
      const next = posix.join(cur, parts[i] ?? '');
      const link = this.links.get(next);
      if (link !== undefined) {
        const target = link.startsWith('/') ? link : posix.join(cur, link);
        const rest = parts.slice(i + 1).join('/');
        return this.resolve(rest ? posix.join(target, rest) : target, depth + 1);
      }
      cur = next;
    }
    return this.files.has(cur) || this.dirs.has(cur) ? cur : undefined;
  }

  read(p: string): Uint8Array | undefined {
    const r = this.resolve(p);
    return r === undefined ? undefined : this.files.get(r)?.bytes;
  }
  text(p: string): string | undefined {
    const b = this.read(p);
    return b === undefined ? undefined : new TextDecoder().decode(b);
  }
  list(p: string): string[] | undefined {
    const r = this.resolve(p);
    if (r === undefined || !this.dirs.has(r)) return undefined;
    const prefix = r === '/' ? '/' : `${r}/`;
    const names = new Set<string>();
    for (const k of [...this.files.keys(), ...this.links.keys(), ...this.dirs]) {
      if (k.startsWith(prefix) && k !== r) names.add(k.slice(prefix.length).split('/')[0] ?? '');
    }
    return [...names].sort();
  }
  isExec(p: string): boolean {
    const r = this.resolve(p);
    return r !== undefined && ((this.files.get(r)?.mode ?? 0) & 0o111) !== 0;
  }
}
