/**
 * What a RootFS image file is, from its first bytes, as FEX decides it
 * (FEX-Emu/FEX Source/Common/FileFormatCheck.cpp IsSquashFS / IsEroFS): the
 * SquashFS magic "hsqs" at offset 0, the EroFS superblock magic 0xE0F5E1E2
 * (little endian) at offset 1024. Pure.
 */
export type FsImageKind = 'erofs' | 'squashfs';

/** How many leading bytes fsImageKind needs. */
export const FS_IMAGE_HEAD = 1028;

export function fsImageKind(head: Uint8Array): FsImageKind | undefined {
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (b.length >= 4 && b.toString('latin1', 0, 4) === 'hsqs') return 'squashfs';
  if (b.length >= FS_IMAGE_HEAD && b.readUInt32LE(1024) === 0xe0f5e1e2) return 'erofs';
  return undefined;
}
