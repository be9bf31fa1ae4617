/**
 * Builds small rootfs trees in temp dirs for the hook's unit tests: files with
 * real ELF identities for any architecture, #! scripts and symlinks.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Arch } from '../../../src/common/arch.js';

/** The first 64 bytes of an ELF executable for `arch` (what the kernel and the hook look at). */
export function elfHeader(arch: Arch, length = 64): Buffer {
  const b = Buffer.alloc(Math.max(length, 20));
  b.set([0x7f, 0x45, 0x4c, 0x46, arch.elfClass, arch.elfData, 1], 0);
  b.writeUInt16LE(2, 16);
  b.writeUInt16LE(arch.machine, 18);
  return b.subarray(0, length);
}

export type Entry =
  | { file: string; bytes: Uint8Array | string; mode?: number }
  | { link: string; to: string }
  | { dir: string }
  | { fifo: string };

export class TempRoot {
  readonly root: string;
  constructor(entries: readonly Entry[] = []) {
    this.root = mkdtempSync(join(tmpdir(), 'fexpod-hook-rootfs-'));
    this.add(entries);
  }
  add(entries: readonly Entry[]): this {
    for (const e of entries) {
      if ('file' in e) {
        const p = join(this.root, e.file);
        mkdirSync(dirname(p), { recursive: true });
        writeFileSync(p, e.bytes);
        chmodSync(p, e.mode ?? 0o755);
      } else if ('link' in e) {
        const p = join(this.root, e.link);
        mkdirSync(dirname(p), { recursive: true });
        symlinkSync(e.to, p);
      } else if ('dir' in e) {
        mkdirSync(join(this.root, e.dir), { recursive: true });
      }
    }
    return this;
  }
  path(p: string): string {
    return join(this.root, p);
  }
  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
