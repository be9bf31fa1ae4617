/**
 * `fexpod rootfs install REF|FILE`: a published RootFS (or overlay) put where
 * FEX and muvm look, verified, then named in FEX's Config.json.
 *
 *   resolve   REF → the artifact's EroFS (or SquashFS) layer: digest, size, file name;
 *             FILE → its sha256 (a local file is trusted as given)
 *   no-op     the same digest is already installed there: nothing is downloaded
 *   place     download (or copy) into a temp file beside the target, every byte hashed;
 *             a mismatch removes it: nothing is left half-installed; then rename
 *   config    Config.RootFS = the file name (FEX finds it in DATA/RootFS/), other keys kept
 *   record    fexpod's record (digest, source) for `fexpod rootfs list`
 *
 * A file whose text would not change is not written. Every write is announced
 * first to `deps.writes` (fexpod setup journals and lists them there), and a
 * dry run (`dryRun`) announces the same writes and makes none.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { FexpodError } from '../common/errors.js';
import { MUVM_DEFAULT_NAMES, muvmOverlayName } from '../common/muvm-images.js';
import type { Logger } from '../common/log.js';
import { formatReference, parseReference, type ImageReference } from '../registry/reference.js';
import type { RegistryClient } from '../registry/registry-client.js';
import { ANNOTATION_TITLE } from '../registry/oci.js';
import { ANNOTATION_ARCH, detectFsKind, kindOfMediaType, roleOfArtifactType, type ArtifactRole, type FsKind } from '../publish/artifact.js';
import { downloadBlob } from '../publish/blob-download.js';
import { resolveManifest, safeTitle } from '../publish/pull.js';
import type { TransferProgress } from '../publish/transfer-progress.js';
import { fexConfigFile, fexDataDir, installDir, recordFile, type FexPathEnv } from './fex-paths.js';
import { writeAtomic } from '../common/atomic-write.js';
import { planFexRootfs } from './fex-config.js';
import { formatRecords, readRecords, type InstallRecord } from './rootfs-records.js';

export type Scope = 'system' | 'user';

/** Told before each file is created or replaced: the image (text undefined), Config.json, fexpod's record. */
export interface RootfsWrites {
  file(path: string, text: string | undefined): void;
}

export interface RootfsDeps {
  readonly paths: FexPathEnv;
  /** Where system-wide records live (default /var/lib/fexpod). */
  readonly stateRoot?: string;
  readonly now: () => number;
  readonly connect: (ref: ImageReference) => Promise<RegistryClient & { close(): void }>;
  readonly log: Logger;
  readonly progress?: TransferProgress;
  readonly writes?: RootfsWrites;
}

export interface InstallRequest {
  /** A registry reference or a local EroFS/SquashFS file. */
  readonly source: string;
  readonly scope: Scope;
  /** Installed file name (default: the artifact's title, or the file's name; an overlay: the name muvm mounts). */
  readonly name?: string;
  /** For a local file: rootfs (default) or overlay. */
  readonly role?: ArtifactRole;
  /** Which file of an artifact with both (default erofs). */
  readonly format?: FsKind;
  /** Set Config.json's RootFS (default true, RootFS only). */
  readonly setConfig?: boolean;
  /** Work out and announce every write, make none (nothing is downloaded; a local file is hashed). */
  readonly dryRun?: boolean;
  /** Refuse to replace another file at the target (setup: undo could not bring it back). */
  readonly keepOther?: boolean;
}

export interface InstallResult {
  readonly scope: Scope;
  readonly role: ArtifactRole;
  readonly kind: FsKind;
  readonly name: string;
  readonly path: string;
  readonly digest: string;
  readonly size: number;
  readonly source: string;
  /** false: the same digest was already installed; the image was not written. */
  readonly changed: boolean;
  /** A dry run: nothing was written. */
  readonly dryRun?: boolean;
  readonly config?: { readonly file: string; readonly rootfs: string; readonly previous?: string };
}

interface Plan {
  readonly role: ArtifactRole;
  readonly kind: FsKind;
  /** The file's own name: the artifact's title, or the local file's name. */
  readonly title: string;
  /** The guest architecture the artifact says it holds (io.fexpod.arch), if it says. */
  readonly arch?: string;
  /** The registry's digest, or the local file's sha256 (checked again while copying). */
  readonly digest: string;
  readonly size: number;
  readonly source: string;
  place(tmp: string): Promise<{ digest: string; size: number }>;
  close(): void;
}

async function planFromFile(path: string, req: InstallRequest): Promise<Plan> {
  const kind = await detectFsKind(path);
  if (!kind) throw new FexpodError(`${path} is neither an EroFS nor a SquashFS image`, { fix: 'give an .erofs/.sqfs file, or a registry reference of a RootFS artifact' });
  const known = await fileDigest(path);
  return {
    role: req.role ?? 'rootfs',
    kind,
    title: basename(path),
    source: path,
    digest: known.digest,
    size: known.size,
    async place(tmp) {
      const h = createHash('sha256');
      let size = 0;
      await pipeline(createReadStream(path), new Transform({ transform(c: Buffer, _e, cb) { h.update(c); size += c.length; cb(null, c); } }), createWriteStream(tmp, { flags: 'wx', mode: 0o644 }));
      return { digest: `sha256:${h.digest('hex')}`, size };
    },
    close() {},
  };
}

async function planFromRegistry(ref: ImageReference, req: InstallRequest, deps: RootfsDeps): Promise<Plan> {
  const client = await deps.connect(ref);
  try {
    const r = await resolveManifest(client, ref);
    const name = formatReference(ref);
    if (r.parsed.kind !== 'manifest') throw new FexpodError(`${name} is an image index, not a RootFS artifact`, { fix: 'give the reference fexpod push printed for the .erofs file' });
    const role = roleOfArtifactType(r.parsed.value.artifactType);
    if (!role) {
      throw new FexpodError(`${name} is not a fexpod RootFS or overlay artifact (artifactType ${r.parsed.value.artifactType ?? 'none: a container image'})`, {
        fix: 'push the EroFS file with "fexpod push out/NAME.erofs REF" (fexpod build --push tags it TAG-erofs) and install that reference',
      });
    }
    const layers = r.parsed.value.layers.filter((l) => kindOfMediaType(l.mediaType));
    const want = req.format ?? 'erofs';
    const layer = layers.find((l) => kindOfMediaType(l.mediaType) === want) ?? (req.format ? undefined : layers[0]);
    if (!layer) throw new FexpodError(`${name} has no ${want} file`, { fix: 'choose another --format, or push that file' });
    const kind = kindOfMediaType(layer.mediaType) ?? 'erofs';
    const title = safeTitle(layer.annotations?.[ANNOTATION_TITLE], `${name}: layer ${layer.digest}`);
    const arch = r.parsed.value.annotations?.[ANNOTATION_ARCH];
    return {
      role, kind, title, ...(arch ? { arch } : {}), digest: layer.digest, size: layer.size, source: `${name}@${r.got.digest}`,
      async place(tmp) {
        await downloadBlob(client, ref.repository, layer, tmp, deps.progress);
        return { digest: layer.digest, size: layer.size };
      },
      close: () => client.close(),
    };
  } catch (err) {
    client.close();
    throw err;
  }
}

/**
 * The file name to install as when --name is not given: a RootFS keeps its
 * own (Config.json names it); an overlay takes the name muvm mounts for its
 * architecture (mesa-x86_64.erofs unless the artifact says it is 32-bit x86
 * only), since muvm mounts no other overlay without -f.
 */
export function installName(p: Pick<Plan, 'role' | 'title' | 'arch'>): string {
  if (p.role !== 'overlay' || (MUVM_DEFAULT_NAMES.overlay as readonly string[]).includes(p.title)) return p.title;
  return muvmOverlayName([p.arch ?? 'x86_64']) ?? p.title;
}

async function isLocalFile(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isFile() ?? false;
}

async function fileDigest(path: string): Promise<{ digest: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const c of createReadStream(path)) {
    h.update(c as Buffer);
    size += (c as Buffer).length;
  }
  return { digest: `sha256:${h.digest('hex')}`, size };
}

/** sha256 of an installed file, when its size is as expected. */
async function installedDigest(path: string, size: number): Promise<string | undefined> {
  const st = await stat(path).catch(() => undefined);
  if (!st?.isFile() || st.size !== size) return undefined;
  return (await fileDigest(path)).digest;
}

async function readTextOr(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}

export async function installRootfs(req: InstallRequest, deps: RootfsDeps): Promise<InstallResult> {
  const plan = (await isLocalFile(req.source)) ? await planFromFile(req.source, req) : await planFromRegistry(parseReference(req.source), req, deps);
  const dry = req.dryRun === true;
  try {
    const name = safeTitle(req.name ?? installName(plan), 'the installed file name');
    if (req.name === undefined && name !== plan.title) deps.log.info(`overlay ${plan.title}: installing it as ${name}, the name muvm mounts without -f (--name ${plan.title} keeps its own name)`);
    const dir = installDir(fexDataDir(req.scope, deps.paths), plan.role);
    const target = join(dir, name);
    const records = recordFile(req.scope, deps.paths, deps.stateRoot);
    const known = await readRecords(records);
    const rec = known.find((r) => r.path === target);
    // The file is hashed, not trusted: the same bytes already there are not placed again.
    const changed = (await installedDigest(target, plan.size)) !== plan.digest;
    if (changed && req.keepOther && (await stat(target).catch(() => undefined))) {
      throw new FexpodError(`${target} exists and is not ${plan.source} (${plan.digest})`, {
        fix: `install it under another name (--rootfs-name NAME), or replace it first with "fexpod rootfs install ${plan.source}" (which setup --undo does not undo)`,
      });
    }
    if (changed) {
      deps.writes?.file(target, undefined);
      if (!dry) await placeAt(plan, dir, name, target);
    }
    let config: InstallResult['config'];
    if (plan.role === 'rootfs' && req.setConfig !== false) {
      const file = fexConfigFile(req.scope, deps.paths);
      const c = await planFexRootfs(file, name);
      if (c.current !== c.text) {
        deps.writes?.file(file, c.text);
        if (!dry) await writeAtomic(file, c.text);
      }
      config = { file, rootfs: name, ...(c.previous !== undefined ? { previous: c.previous } : {}) };
    }
    const installedAt = rec && rec.digest === plan.digest && !changed ? rec.installedAt : new Date(deps.now()).toISOString();
    const record: InstallRecord = { name, role: plan.role, kind: plan.kind, path: target, digest: plan.digest, size: plan.size, source: plan.source, installedAt };
    const recordsText = formatRecords([...known.filter((r) => r.path !== target), record]);
    if ((await readTextOr(records)) !== recordsText) {
      deps.writes?.file(records, recordsText);
      if (!dry) await writeAtomic(records, recordsText);
    }
    return { scope: req.scope, role: plan.role, kind: plan.kind, name, path: target, digest: plan.digest, size: plan.size, source: plan.source, changed, ...(dry ? { dryRun: true } : {}), ...(config ? { config } : {}) };
  } finally {
    plan.close();
  }
}

/** Downloads or copies into a temp file beside the target, checks the digest, renames; a failure leaves nothing. */
async function placeAt(plan: Plan, dir: string, name: string, target: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const tmp = join(dir, `.${name}.fexpod-tmp-${process.pid}`);
  try {
    const placed = await plan.place(tmp);
    if (placed.digest !== plan.digest || placed.size !== plan.size) {
      throw new FexpodError(`${plan.source} changed while it was copied (${placed.digest}, expected ${plan.digest})`, { fix: 'install it again once nothing writes to it' });
    }
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
