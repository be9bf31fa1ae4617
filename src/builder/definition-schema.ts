/**
 * What users write in an image definition (images/*.toml), as one zod schema: a discriminated
 * union on `profile`, so that `base`, `[profile_options]` and `[outputs]` are checked against the
 * keys of that profile. `fexpod lock` and `fexpod build` both parse with it (definition.ts), so
 * they refuse the same inputs up front. Each field carries its fix (`meta({ fix })`), which
 * common/config-issue.ts puts into the error. The format is documented in images/README.md.
 */
import { z } from 'zod';
import { LAYER_COMPRESSIONS } from './layer/layer-compression.js';

export const PROFILES = ['rootfs', 'sysroot', 'overlay'] as const;
export type Profile = (typeof PROFILES)[number];

export const OUTPUT_FORMATS = ['oci', 'oci-archive', 'erofs', 'squashfs', 'dir', 'sbom', 'rpm'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const REPO_ID = /^[A-Za-z0-9._:-]+$/;
/** DNF variable names (libdnf: letters, digits and "_"). */
export const VAR_NAME = /^[A-Za-z0-9_]+$/;

const bool = (key: string) => z.boolean().meta({ fix: `write ${key} = true or ${key} = false (a TOML boolean, without quotes)` });
const text = (fix: string) => z.string().min(1).meta({ fix });
const textList = (fix: string) => z.union([z.string().min(1), z.array(z.string().min(1))]).meta({ fix });
const paths = (key: string, example: string) => z.array(z.string().min(1)).meta({ fix: `write ${key} = ${example} (a list of paths inside the image, without a leading "/")` });

const repoSchema = z.strictObject({
  id: z.string().regex(REPO_ID, 'a repository id (letters, digits, ".", "_", ":" and "-")').meta({ fix: 'use letters, digits, ".", "_", ":" and "-"' }).optional(),
  name: text('write name = "Fedora $releasever - $basearch" (a string)').optional(),
  metalink: text('write metalink = "https://mirrors.fedoraproject.org/metalink?repo=fedora-$releasever&arch=$basearch" (one URL)').optional(),
  mirrorlist: text('write mirrorlist = "https://…" (one URL)').optional(),
  baseurl: textList('write baseurl = "https://…/" or a list of mirror URLs').optional(),
  gpgkey: textList('write gpgkey = ["file:///etc/pki/rpm-gpg/RPM-GPG-KEY-fedora-$releasever-primary"] (one URL or a list)').optional(),
  gpgcheck: bool('gpgcheck').optional(),
  repo_gpgcheck: bool('repo_gpgcheck').optional(),
  enabled: bool('enabled').optional(),
});
export type RepoInput = z.infer<typeof repoSchema>;

const PACKAGE_NAME = /^[A-Za-z0-9_.+:~^*?\[\]-]+$/;
const packageSpec = z
  .string()
  .regex(/^(?:[A-Za-z0-9_.+:~^*?\[\]-]+|@\S.*)$/, 'a package name, name.arch or @group')
  .meta({ fix: 'write packages = ["glibc", "bash.x86_64", "@core"] (names, name.arch, or @group from the repositories\' comps)' });
const excludeSpec = z.string().regex(PACKAGE_NAME, 'a package name glob').meta({ fix: 'write excludes = ["*-debuginfo"] (package name globs)' });

const common = {
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*$/, 'an image name (lower-case letters, digits, ".", "_" and "-")')
    .meta({ fix: 'write name = "my-image" (lower-case letters, digits, ".", "_" and "-"; used for output names)' }),
  release: z
    .union([z.number().int().positive(), z.string().regex(/^[A-Za-z0-9._-]+$/, 'a release ("42", "rawhide")')])
    .meta({ fix: 'write release = 42 (the Fedora release, $releasever) or release = "rawhide"' }),
  arches: z.array(z.string()).min(1).meta({ fix: 'write arches = ["x86_64", "i686"] (the first is primary; the rest are multilib)' }).optional(),
  arch: z.string().meta({ fix: 'write arch = "x86_64" (or arches = ["x86_64", "i686"] for multilib)' }).optional(),
  repos: z
    .union([z.record(z.string(), repoSchema), z.array(repoSchema)])
    .meta({ fix: 'write [repos.ID] tables (or [[repos]] with id = "…"), each with one of metalink, mirrorlist or baseurl; see images/README.md' })
    .optional(),
  vars: z
    .record(z.string(), z.string().meta({ fix: 'write the value in quotes: name = "value"' }))
    .meta({ fix: 'write [vars] entries as name = "value" and use them in URLs as $name or ${name}' })
    .optional(),
  packages: z.array(packageSpec).min(1).meta({ fix: 'write packages = ["glibc", "bash", "@core"] (at least one package or @group)' }),
  excludes: z.array(excludeSpec).meta({ fix: 'write excludes = ["*-debuginfo"] (package name globs)' }).optional(),
  weak_deps: bool('weak_deps').optional(),
};

// [profile_options], one table per profile (defaults in profile-rootfs/sysroot/overlay.ts).
const rootfsOptionsSchema = z.strictObject({
  remove: paths('remove', '["etc/hosts", "tmp"]').optional(),
  extra_remove: paths('extra_remove', '["usr/local"]').optional(),
  etc_keep: paths('etc_keep', '["alternatives", "ld.so*"]').optional(),
  strip_setid: bool('strip_setid').optional(),
  ld_so_cache: bool('ld_so_cache').optional(),
});
const sysrootOptionsSchema = z.strictObject({
  relative_symlinks: bool('relative_symlinks').optional(),
  require: paths('require', '["usr/lib64/crt1.o"]').optional(),
  links: z.record(z.string(), z.string()).meta({ fix: 'write links = { "usr/lib64/libstdc++.so" = "libstdc++.so.6" } (link path = target)' }).optional(),
  remove: paths('remove', '["usr/share/doc"]').optional(),
  extra_remove: paths('extra_remove', '["usr/share/man"]').optional(),
});
const overlayOptionsSchema = z.strictObject({
  trim: z.enum(['rootfs', 'none']).meta({ fix: 'write trim = "rootfs" (trim like the base) or trim = "none"' }).optional(),
  rootfs: rootfsOptionsSchema.meta({ fix: 'write [profile_options.rootfs] with the rootfs options (remove, extra_remove, etc_keep, strip_setid, ld_so_cache)' }).optional(),
  ld_so_cache: bool('ld_so_cache').optional(),
});
export type RootfsOptionsInput = z.infer<typeof rootfsOptionsSchema>;
export type SysrootOptionsInput = z.infer<typeof sysrootOptionsSchema>;
export type OverlayOptionsInput = z.infer<typeof overlayOptionsSchema>;

// [outputs]: formats plus the options of the layer and outputs steps (steps/layer.ts, steps/outputs.ts).
const fsOptions = (fs: string) =>
  z
    .strictObject({
      block_size: z.number().int().positive().meta({ fix: 'write block_size = 4096 (bytes)' }).optional(),
      compression: z.string().meta({ fix: `write compression = "…" (a compressor ${fs} knows)` }).optional(),
    })
    .meta({ fix: `write ${fs === 'mkfs.erofs' ? 'erofs' : 'squashfs'} = { block_size = 4096, compression = "…" }` });
const outputCommon = {
  formats: z
    .array(z.enum(OUTPUT_FORMATS))
    .min(1)
    .meta({ fix: `write formats = ["oci", "erofs"] (any of ${OUTPUT_FORMATS.join(', ')})` })
    .optional(),
  tag: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'an OCI tag').meta({ fix: 'write tag = "42" (letters, digits, "_", "." and "-")' }).optional(),
  cmd: z.array(z.string()).meta({ fix: 'write cmd = ["/bin/sh"] (a list: the program and its arguments)' }).optional(),
  entrypoint: z.array(z.string()).meta({ fix: 'write entrypoint = ["/usr/bin/env"] (a list)' }).optional(),
  env: z.array(z.string().regex(/^[^=]+=/, 'NAME=value')).meta({ fix: 'write env = ["LANG=C.UTF-8"] (a list of NAME=value)' }).optional(),
  working_dir: z.string().meta({ fix: 'write working_dir = "/root" (an absolute path)' }).optional(),
  labels: z.record(z.string(), z.string()).meta({ fix: 'write labels = { "org.example.key" = "value" }' }).optional(),
  erofs_name: z.string().regex(/^[^/]+$/, 'a file name').meta({ fix: 'write erofs_name = "default.erofs" (a file name, no "/")' }).optional(),
  erofs: fsOptions('mkfs.erofs').optional(),
  squashfs: fsOptions('mksquashfs').optional(),
  layer: z
    .strictObject({
      compression: z.enum(LAYER_COMPRESSIONS).meta({ fix: `write compression = "zstd:chunked" (one of ${LAYER_COMPRESSIONS.join(', ')})` }).optional(),
      level: z.number().int().min(1).max(19).meta({ fix: 'write level = 4 (gzip 1-9, zstd 1-19)' }).optional(),
    })
    .meta({ fix: 'write layer = { compression = "zstd", level = 3 }' })
    .optional(),
};
const fexIndexSchema = z
  .strictObject({
    title: z.string().optional(),
    distro_match: z.string().optional(),
    base_url: z.string().url().optional(),
  })
  .meta({ fix: 'write fex_index = { title = "Fedora 42", distro_match = "fedora", base_url = "https://…/" }' });

const rootfsOutputsSchema = z.strictObject({ ...outputCommon, fex_index: fexIndexSchema.optional() });
const outputsSchema = z.strictObject(outputCommon);
export type OutputOptionsInput = z.infer<typeof rootfsOutputsSchema>;

const profileFix = 'write profile = "rootfs" (the default), "sysroot" or "overlay"';

export const definitionSchema = z.discriminatedUnion('profile', [
  z.strictObject({
    ...common,
    profile: z.literal('rootfs').meta({ fix: profileFix }).optional(),
    profile_options: rootfsOptionsSchema.meta({ fix: 'see docs/build.md "Profiles": rootfs takes remove, extra_remove, etc_keep, strip_setid, ld_so_cache' }).optional(),
    outputs: rootfsOutputsSchema.meta({ fix: 'see docs/build.md "Outputs"' }).optional(),
  }),
  z.strictObject({
    ...common,
    profile: z.literal('sysroot').meta({ fix: profileFix }),
    profile_options: sysrootOptionsSchema.meta({ fix: 'see docs/build.md "Profiles": sysroot takes relative_symlinks, require, links, remove, extra_remove' }).optional(),
    outputs: outputsSchema.meta({ fix: 'see docs/build.md "Outputs"' }).optional(),
  }),
  z.strictObject({
    ...common,
    profile: z.literal('overlay').meta({ fix: profileFix }),
    base: text('write base = "fex-rootfs-fedora.toml" (the definition, next to this one, that the overlay sits on)'),
    profile_options: overlayOptionsSchema.meta({ fix: 'see docs/build.md "Profiles": overlay takes trim, rootfs, ld_so_cache' }).optional(),
    outputs: outputsSchema.meta({ fix: 'see docs/build.md "Outputs"' }).optional(),
  }),
]);
export type DefinitionInput = z.infer<typeof definitionSchema>;
