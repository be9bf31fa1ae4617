/**
 * The layer compressions fexpod writes, their OCI media types and default
 * levels: plain data, shared by the definition schema, the CLI and the layer
 * writer (and loading nothing).
 */
export const LAYER_COMPRESSIONS = ['gzip', 'zstd', 'zstd:chunked'] as const;
export type LayerCompression = (typeof LAYER_COMPRESSIONS)[number];

export const MEDIA_TYPE_LAYER: Record<LayerCompression, string> = {
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  'zstd:chunked': 'application/vnd.oci.image.layer.v1.tar+zstd',
};

/**
 * Default levels. gzip 4: on real binaries zlib level 4 is ~6 % smaller than
 * level 1 for ~1.4x the CPU, level 6 ~3 % smaller again for 1.5x more.
 * zstd 3 is zstd's own default (and Podman's for zstd:chunked).
 */
export const DEFAULT_LEVEL: Record<LayerCompression, number> = { gzip: 4, zstd: 3, 'zstd:chunked': 3 };
