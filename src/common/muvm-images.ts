/**
 * The EroFS images muvm mounts when it is given no -f (AsahiLinux/muvm,
 * crates/muvm/src/bin/muvm.rs `default_disks`: those of these that exist, in
 * this order; the guest mounts them as /dev/vda, vdb, … and lays each later
 * one over the earlier ones, so mesa-x86_64 is the upper overlay). Shared by
 * the microVM route, the builder's RPM output and `fexpod rootfs install`,
 * so an image fexpod makes or installs lands where plain `muvm` finds it. Pure.
 */
import { Arch } from './arch.js';

export const FEX_SHARE_DIR = '/usr/share/fex-emu';
export const MUVM_ROOTFS_NAME = 'default.erofs';
/** muvm's overlay names by guest architecture (i386 holds 32-bit Mesa, x86_64 the 64-bit one). */
export const MUVM_OVERLAY_NAMES = { i386: 'mesa-i386.erofs', x86_64: 'mesa-x86_64.erofs' } as const;

export const MUVM_DEFAULT_ROOTFS = `${FEX_SHARE_DIR}/RootFS/${MUVM_ROOTFS_NAME}`;
export const MUVM_DEFAULT_IMAGES: readonly string[] = [
  MUVM_DEFAULT_ROOTFS,
  `${FEX_SHARE_DIR}/overlays/${MUVM_OVERLAY_NAMES.i386}`,
  `${FEX_SHARE_DIR}/overlays/${MUVM_OVERLAY_NAMES.x86_64}`,
];

/** The file names muvm mounts without -f, by role. */
export const MUVM_DEFAULT_NAMES = { rootfs: [MUVM_ROOTFS_NAME], overlay: [MUVM_OVERLAY_NAMES.i386, MUVM_OVERLAY_NAMES.x86_64] } as const;

/**
 * The name muvm mounts an overlay of these guest architectures under (any
 * spelling: RPM's i686, OCI's 386, …): mesa-x86_64.erofs when it holds x86-64
 * content (an x86_64 + i686 multilib overlay included: it is the upper of the
 * two), mesa-i386.erofs when it holds only 32-bit x86; undefined for anything
 * else (no arch known, or not x86), which muvm has no default name for.
 */
export function muvmOverlayName(arches: readonly string[]): string | undefined {
  const names = new Set(arches.map((a) => Arch.tryParse(a)?.name));
  if (names.has('x86_64')) return MUVM_OVERLAY_NAMES.x86_64;
  if (names.has('i386')) return MUVM_OVERLAY_NAMES.i386;
  return undefined;
}
