/**
 * Profiles: what turns "the packages, installed" into the image a consumer
 * needs. Each is data (the definition's `profile` + `profile_options`, with
 * defaults per kind from design.md §5) and a pure transform over tree entries.
 *
 *   rootfs   FEX RootFS: host-owned files removed, /etc trimmed, setuid/setgid
 *            stripped, ld.so.cache generated.
 *   sysroot  thunk sysroot: absolute symlinks made relative, crt objects and
 *            libstdc++ links checked/added, docs dropped.
 *   overlay  the files a package set adds on top of a base RootFS.
 */
import { z } from 'zod';
import { ConfigError } from '../common/errors.js';
import type { TreeEntry } from './tree.js';
import { applyRootfs, ROOTFS_DEFAULTS, type RootfsOptions } from './profile-rootfs.js';
import { applySysroot, SYSROOT_DEFAULTS, type SysrootOptions } from './profile-sysroot.js';
import { applyOverlay, OVERLAY_DEFAULTS, type OverlayOptions } from './profile-overlay.js';

export type ProfileKind = 'rootfs' | 'sysroot' | 'overlay';

export type ProfileSpec =
  | { readonly kind: 'rootfs'; readonly options: RootfsOptions }
  | { readonly kind: 'sysroot'; readonly options: SysrootOptions }
  | { readonly kind: 'overlay'; readonly options: OverlayOptions };

export interface ProfileContext {
  readonly sourceDateEpoch: number;
  /** Builds /etc/ld.so.cache for a tree (engineer "rpm"'s ld-so-cache). Absent: none is written. */
  readonly ldSoCache?: (entries: readonly TreeEntry[]) => Uint8Array | Promise<Uint8Array>;
  /** Overlay only: the base RootFS tree, after its own profile. */
  readonly base?: readonly TreeEntry[];
}

export interface ProfileResult {
  readonly entries: TreeEntry[];
  /** Human notes on what the profile did ("removed 123 entries"). */
  readonly notes: string[];
}

const paths = z.array(z.string().min(1));

const rootfsSchema = z.strictObject({
  remove: paths.optional(),
  extra_remove: paths.optional(),
  etc_keep: paths.optional(),
  strip_setid: z.boolean().optional(),
  ld_so_cache: z.boolean().optional(),
});
const sysrootSchema = z.strictObject({
  relative_symlinks: z.boolean().optional(),
  require: paths.optional(),
  links: z.record(z.string(), z.string()).optional(),
  remove: paths.optional(),
  extra_remove: paths.optional(),
});
const overlaySchema = z.strictObject({
  trim: z.enum(['rootfs', 'none']).optional(),
  rootfs: rootfsSchema.optional(),
  ld_so_cache: z.boolean().optional(),
});

function check<T>(file: string, schema: z.ZodType<T>, input: unknown): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const key = ['profile_options', ...(issue?.path ?? []).map(String)].join('.');
  throw new ConfigError(file, key, issue?.message ?? 'invalid', 'see docs/build.md "Profiles" for the options of each profile');
}

function rootfsOptions(file: string, input: unknown): RootfsOptions {
  const o = check(file, rootfsSchema, input ?? {});
  return {
    remove: [...(o.remove ?? ROOTFS_DEFAULTS.remove), ...(o.extra_remove ?? [])],
    etcKeep: o.etc_keep ?? ROOTFS_DEFAULTS.etcKeep,
    stripSetid: o.strip_setid ?? ROOTFS_DEFAULTS.stripSetid,
    ldSoCache: o.ld_so_cache ?? ROOTFS_DEFAULTS.ldSoCache,
  };
}

/** Definition data → a normalized profile with every default filled in. */
export function parseProfile(file: string, kind: ProfileKind, input: Readonly<Record<string, unknown>>): ProfileSpec {
  switch (kind) {
    case 'rootfs':
      return { kind, options: rootfsOptions(file, input) };
    case 'sysroot': {
      const o = check(file, sysrootSchema, input);
      return {
        kind,
        options: {
          relativeSymlinks: o.relative_symlinks ?? SYSROOT_DEFAULTS.relativeSymlinks,
          require: o.require ?? SYSROOT_DEFAULTS.require,
          links: o.links ?? SYSROOT_DEFAULTS.links,
          remove: [...(o.remove ?? SYSROOT_DEFAULTS.remove), ...(o.extra_remove ?? [])],
        },
      };
    }
    case 'overlay': {
      const o = check(file, overlaySchema, input);
      return {
        kind,
        options: {
          trim: o.trim ?? OVERLAY_DEFAULTS.trim,
          rootfs: rootfsOptions(file, o.rootfs),
          ldSoCache: o.ld_so_cache ?? OVERLAY_DEFAULTS.ldSoCache,
        },
      };
    }
  }
}

export async function applyProfile(entries: readonly TreeEntry[], spec: ProfileSpec, ctx: ProfileContext): Promise<ProfileResult> {
  switch (spec.kind) {
    case 'rootfs':
      return applyRootfs(entries, spec.options, ctx);
    case 'sysroot':
      return applySysroot(entries, spec.options);
    case 'overlay':
      return applyOverlay(entries, spec.options, ctx);
  }
}
