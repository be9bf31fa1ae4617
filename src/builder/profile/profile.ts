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
import type { TreeEntry } from '../tree/tree.js';
import type { OverlayOptionsInput, Profile, RootfsOptionsInput, SysrootOptionsInput } from '../definition-schema.js';
import { applyRootfs, ROOTFS_DEFAULTS, type RootfsOptions } from './profile-rootfs.js';
import { applySysroot, SYSROOT_DEFAULTS, type SysrootOptions } from './profile-sysroot.js';
import { applyOverlay, OVERLAY_DEFAULTS, type OverlayOptions } from './profile-overlay.js';

export type ProfileKind = Profile;

export type ProfileSpec =
  | { readonly kind: 'rootfs'; readonly options: RootfsOptions }
  | { readonly kind: 'sysroot'; readonly options: SysrootOptions }
  | { readonly kind: 'overlay'; readonly options: OverlayOptions };

/** A profile and its [profile_options] as the definition schema checked them. */
export type ProfileInput =
  | { readonly kind: 'rootfs'; readonly options: RootfsOptionsInput | undefined }
  | { readonly kind: 'sysroot'; readonly options: SysrootOptionsInput | undefined }
  | { readonly kind: 'overlay'; readonly options: OverlayOptionsInput | undefined };

export interface ProfileContext {
  readonly sourceDateEpoch: number;
  /** Builds /etc/ld.so.cache for a tree (tree/ld-so-cache.ts). Absent: none is written. */
  readonly ldSoCache?: (entries: readonly TreeEntry[]) => Uint8Array | Promise<Uint8Array>;
  /** Overlay only: the base RootFS tree, after its own profile. */
  readonly base?: readonly TreeEntry[];
}

export interface ProfileResult {
  readonly entries: TreeEntry[];
  /** Human notes on what the profile did ("removed 123 entries"). */
  readonly notes: string[];
}

function rootfsOptions(o: RootfsOptionsInput | undefined): RootfsOptions {
  return {
    remove: [...(o?.remove ?? ROOTFS_DEFAULTS.remove), ...(o?.extra_remove ?? [])],
    etcKeep: o?.etc_keep ?? ROOTFS_DEFAULTS.etcKeep,
    stripSetid: o?.strip_setid ?? ROOTFS_DEFAULTS.stripSetid,
    ldSoCache: o?.ld_so_cache ?? ROOTFS_DEFAULTS.ldSoCache,
  };
}

/** Checked [profile_options] → a profile with every default filled in (pure). */
export function normalizeProfile(input: ProfileInput): ProfileSpec {
  switch (input.kind) {
    case 'rootfs':
      return { kind: 'rootfs', options: rootfsOptions(input.options) };
    case 'sysroot': {
      const o = input.options;
      return {
        kind: 'sysroot',
        options: {
          relativeSymlinks: o?.relative_symlinks ?? SYSROOT_DEFAULTS.relativeSymlinks,
          require: o?.require ?? SYSROOT_DEFAULTS.require,
          links: o?.links ?? SYSROOT_DEFAULTS.links,
          remove: [...(o?.remove ?? SYSROOT_DEFAULTS.remove), ...(o?.extra_remove ?? [])],
        },
      };
    }
    case 'overlay': {
      const o = input.options;
      return {
        kind: 'overlay',
        options: {
          trim: o?.trim ?? OVERLAY_DEFAULTS.trim,
          rootfs: rootfsOptions(o?.rootfs),
          ldSoCache: o?.ld_so_cache ?? OVERLAY_DEFAULTS.ldSoCache,
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
