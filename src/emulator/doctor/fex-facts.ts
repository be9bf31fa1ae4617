/**
 * What doctor needs to know about FEX's own setup, gathered at the edge:
 *
 *  - the RootFS FEX is configured for (FEX_ROOTFS, the user's or the global
 *    Config.json: microvm/rootfs-images.ts fexRootfsSetting) and what it is.
 *    An EroFS or SquashFS image is mounted by FEXServer, which execs
 *    `erofsfuse` / `squashfuse` from PATH (FEX-Emu/FEX Source/Tools/FEXServer/
 *    SquashFS.cpp MountRootFSImagePath); so whether those are on PATH.
 *  - on an AArch64 host with SVE, the default vector length new processes get
 *    (/proc/sys/abi/sve_default_vector_length, bytes; absent without SVE).
 *
 * The judgement is fex-advice.ts (pure).
 */
import { FS_IMAGE_HEAD, fsImageKind } from '../../common/fs-image-kind.js';
import type { DiscoveryDeps } from '../emulator-catalogue.js';
import type { HostDeps } from '../host/host-facts.js';
import { fexRootfsSetting, type ImageLookup } from '../microvm/rootfs-images.js';

export const SVE_DEFAULT_VL_FILE = '/proc/sys/abi/sve_default_vector_length';

export interface FexFacts {
  /** The RootFS FEX is configured for, when something names one. */
  readonly rootfs?: {
    readonly value: string;
    /** "FEX_ROOTFS" or the Config.json that names it. */
    readonly source: string;
    /** The path it names; undefined when nothing is there. */
    readonly path: string | undefined;
    readonly kind: 'erofs' | 'squashfs' | 'directory' | 'other' | 'missing';
  };
  /** erofsfuse and squashfuse on PATH (undefined: not found). */
  readonly erofsfuse: string | undefined;
  readonly squashfuse: string | undefined;
  /** SVE's default vector length in bytes (undefined: no SVE here, or not readable). */
  readonly sveDefaultVectorLength: number | undefined;
}

/**
 * Runs a pure function over a synchronous ImageLookup answered from the
 * asynchronous host reads: each pass notes the paths it asked about, they are
 * read, and it runs again until it asks about nothing new.
 */
async function overHost<T>(host: HostDeps, disc: DiscoveryDeps, f: (look: ImageLookup) => T): Promise<T> {
  const dirs = new Map<string, readonly string[] | undefined>();
  const files = new Map<string, boolean>();
  const texts = new Map<string, string | undefined>();
  for (let pass = 0; pass < 8; pass++) {
    const wanted = { dirs: new Set<string>(), files: new Set<string>(), texts: new Set<string>() };
    const look: ImageLookup = {
      isDir: (p) => (dirs.has(p) ? dirs.get(p) !== undefined : (wanted.dirs.add(p), false)),
      list: (p) => (dirs.has(p) ? dirs.get(p) : (wanted.dirs.add(p), undefined)),
      isFile: (p) => (files.has(p) ? (files.get(p) ?? false) : (wanted.files.add(p), false)),
      readText: (p) => (texts.has(p) ? texts.get(p) : (wanted.texts.add(p), undefined)),
    };
    const result = f(look);
    if (wanted.dirs.size + wanted.files.size + wanted.texts.size === 0) return result;
    for (const p of wanted.dirs) dirs.set(p, await host.listDir(p));
    for (const p of wanted.files) {
      if (!dirs.has(p)) dirs.set(p, await host.listDir(p));
      files.set(p, dirs.get(p) === undefined && (await disc.readHead(p, 1)) !== undefined);
    }
    for (const p of wanted.texts) texts.set(p, await host.readText(p));
  }
  return f({ isDir: () => false, list: () => undefined, isFile: () => false, readText: () => undefined });
}

export async function gatherFexFacts(host: HostDeps, disc: DiscoveryDeps): Promise<FexFacts> {
  const setting = await overHost(host, disc, (look) => fexRootfsSetting(host.env, look));
  let rootfs: FexFacts['rootfs'];
  if (setting.value !== undefined) {
    const path = setting.resolved;
    let kind: NonNullable<FexFacts['rootfs']>['kind'] = 'missing';
    if (path !== undefined) {
      if ((await host.listDir(path)) !== undefined) kind = 'directory';
      else {
        const head = await disc.readHead(path, FS_IMAGE_HEAD);
        kind = head === undefined ? 'missing' : (fsImageKind(head) ?? 'other');
      }
    }
    rootfs = { value: setting.value, source: setting.source, path, kind };
  }
  const vl = Number.parseInt((await host.readText(SVE_DEFAULT_VL_FILE))?.trim() ?? '', 10);
  return {
    ...(rootfs ? { rootfs } : {}),
    erofsfuse: await host.which('erofsfuse'),
    squashfuse: await host.which('squashfuse'),
    sveDefaultVectorLength: Number.isInteger(vl) && vl > 0 ? vl : undefined,
  };
}
