/**
 * EroFS output (the format FEX and muvm mount a RootFS from), via mkfs.erofs.
 *
 * erofs-utils 1.5 (Debian 12) has no --tar and no -b: its block size is the
 * build host's page size. muvm needs 4096-byte blocks, so we pass `-b 4096`
 * where mkfs.erofs has it, accept the default on a 4 KiB-page host, and refuse
 * clearly otherwise. The tree is materialized into a staging directory; as
 * non-root, ownership, device nodes and xattrs (security.capability) are
 * replayed under fakeroot, so the image is byte-identical to a root build. Reproducible: `-T <SOURCE_DATE_EPOCH>`
 * (every inode gets that time: mkfs.erofs 1.5 has no clamping mode that keeps
 * a fixed superblock time) and a UUID derived from the tree's digest (treeDigest:
 * known before the layer tar is, so mkfs.erofs starts while the tar is made).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile, rename, mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FexpodError } from '../../common/errors.js';
import type { TreeEntry } from '../tree/tree.js';
import { atomicOutput, forceRemove } from '../../common/atomic-output.js';
import { materializeTree, type NotApplied } from './dir-output.js';
import { CommandFailed, type CommandRunner } from '../../common/process-runner.js';
import { sha256File } from '../../common/hash.js';
import { ustarHeader } from '../layer/tar-writer.js';


export interface ErofsDeps {
  readonly runner: CommandRunner;
  /** The build host's page size (bytes). */
  readonly pageSize: number;
  readonly privileged: boolean;
  /** The environment the tool inherits, less SOURCE_DATE_EPOCH (see toolEnv). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * The environment mkfs.erofs runs with: the caller's without SOURCE_DATE_EPOCH. mkfs.erofs
 * (1.5) reads that variable itself and then clamps timestamps to it instead of setting every
 * one to -T, so an inherited value (even an empty SOURCE_DATE_EPOCH= in a release script)
 * changed the image; -T alone says what the build means.
 */
export function toolEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  const { SOURCE_DATE_EPOCH: _, ...rest } = env;
  return rest;
}

export interface ErofsOptions {
  readonly dest: string;
  readonly sourceDateEpoch: number;
  /** Content digest the UUID is derived from (treeDigest of the entries). */
  readonly digest: string;
  /** Called once the staging tree is written and mkfs.erofs runs (the caller's main-thread work may go on). */
  readonly onStaged?: () => void;
  readonly blockSize?: number;
  readonly compression?: string;
}

export interface MkfsErofsCaps {
  readonly blockSizeFlag: boolean;
  readonly compressors: readonly string[];
  /** --tar=f (erofs-utils >= 1.6): the image is made from the layer's tar stream, no staging tree. */
  readonly tar?: boolean;
  /** --workers=# (erofs-utils >= 1.8): multi-threaded compression. */
  readonly workers?: boolean;
}

/** Parses `mkfs.erofs --help` for what this version can do. */
export function parseMkfsErofsHelp(help: string): MkfsErofsCaps {
  const blockSizeFlag = /^\s*-b#/m.test(help);
  const m = /Available compressors are:\s*(.*)/.exec(help);
  const compressors = m?.[1] ? m[1].split(/[,\s]+/).filter((c) => c !== '') : compressorsListed(help);
  return { blockSizeFlag, compressors, tar: /^\s*--tar=/m.test(help), workers: /^\s*--workers=/m.test(help) };
}

/**
 * erofs-utils >= 1.7 lists one compressor a line, each followed by its option ranges:
 *   "supported compressors and their option ranges are:" / "    lz4" / "    lz4hc" / "      [,level=<0-12>] …"
 */
function compressorsListed(help: string): string[] {
  const lines = help.split('\n');
  const start = lines.findIndex((l) => /supported compressors/.test(l));
  if (start < 0) return [];
  const out: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (/^\s*-/.test(l) || l.trim() === '') break; // the next option
    const name = /^\s+([a-z0-9]+)\s*$/.exec(l)?.[1];
    if (name) out.push(name);
  }
  return out;
}

/**
 * Runs `mkfs.erofs --help` (1.5 exits non-zero there; its text is still what we need), with the
 * environment the image is then made with: the same PATH finds the same mkfs.erofs.
 */
export async function mkfsErofsCaps(runner: CommandRunner, env: Readonly<Record<string, string | undefined>>): Promise<MkfsErofsCaps> {
  const help = await runner.run('mkfs.erofs', ['--help'], { env: toolEnv(env) }).catch((err: unknown) => {
    if (err instanceof CommandFailed && err.code !== null) return { stdout: err.stdout, stderr: err.stderr };
    throw new FexpodError('mkfs.erofs is not available', { cause: err, fix: 'install erofs-utils' });
  });
  return parseMkfsErofsHelp(help.stdout + help.stderr);
}

/** A stable RFC 4122-shaped (version 5 style) UUID from a digest. */
export function uuidFromDigest(digest: string, purpose = 'erofs'): string {
  const h = createHash('sha256').update(`fexpod:${purpose}:${digest}`).digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/**
 * mkfs.erofs arguments for a tar on stdin (pure): `--tar=f` with no SOURCE
 * reads the tar from stdin; owners, devices and xattrs come from the tar
 * headers, so no fakeroot is needed; `--workers` where it exists.
 */
export function mkfsErofsTarArgs(caps: MkfsErofsCaps, opts: ErofsOptions, pageSize: number, image: string, workers: number): string[] {
  if (!caps.tar) throw new FexpodError('this mkfs.erofs has no --tar', { fix: 'install erofs-utils >= 1.6, or let fexpod use a staging tree' });
  const args = mkfsErofsArgs(caps, opts, pageSize, image, '').slice(0, -2);
  return [...args, '--tar=f', ...(caps.workers && workers > 1 ? [`--workers=${workers}`] : []), image];
}

/** mkfs.erofs arguments (pure). */
export function mkfsErofsArgs(caps: MkfsErofsCaps, opts: ErofsOptions, pageSize: number, image: string, dir: string): string[] {
  const blockSize = opts.blockSize ?? 4096;
  const compression = opts.compression ?? 'lz4hc';
  const args = ['--quiet', `-z${compression}`, '-T', String(opts.sourceDateEpoch), '-U', uuidFromDigest(opts.digest)];
  if (caps.blockSizeFlag) args.push('-b', String(blockSize));
  else if (pageSize !== blockSize) {
    throw new FexpodError(
      `this mkfs.erofs cannot make ${blockSize}-byte blocks: it has no -b option and uses the host page size (${pageSize})`,
      { fix: 'install erofs-utils >= 1.6 (it has -b), or build on a host with 4 KiB pages' },
    );
  }
  if (caps.compressors.length > 0 && !caps.compressors.includes(compression)) {
    throw new FexpodError(`mkfs.erofs has no ${compression} compressor (it has: ${caps.compressors.join(', ')})`, {
      fix: 'pick one of those in [output.erofs] compression',
    });
  }
  args.push(image, dir);
  return args;
}

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The fakeroot script that replays what a non-root materialization could not apply. */
export function fakerootScript(entries: readonly TreeEntry[], notApplied: readonly NotApplied[], stage: string): string {
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const lines = ['set -e'];
  for (const n of notApplied) {
    const e = byPath.get(n.path);
    if (!e) continue;
    const p = shq(join(stage, e.path));
    if (n.what === 'device') {
      const parent = shq(dirname(join(stage, e.path)));
      lines.push(`chmod u+w ${parent}`);
      lines.push(`mknod -m ${(e.mode & 0o7777).toString(8)} ${p} ${e.type === 'char' ? 'c' : 'b'} ${e.devMajor ?? 0} ${e.devMinor ?? 0}`);
      lines.push(`chown -h ${e.uid}:${e.gid} ${p}`);
      // the parent's own mode is restored from the tree below (or was 0755 implicit)
      const parentEntry = byPath.get(dirname(e.path));
      lines.push(`chmod ${parentEntry ? (parentEntry.mode & 0o7777).toString(8) : '755'} ${parent}`);
    } else if (n.what === 'xattr') {
      // fakeroot (>= 1.25) keeps xattrs in its own database, security.capability included;
      // a file it starts tracking here would keep the real (builder's) owner: set ours first
      lines.push(`chown -h ${e.uid}:${e.gid} ${p}`);
      for (const [name, value] of Object.entries(e.xattrs ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
        lines.push(`setfattr -h -n ${shq(name)} -v 0x${Buffer.from(value).toString('hex')} ${p}`);
      }
    } else if (n.what === 'owner') {
      lines.push(`chown -h ${e.uid}:${e.gid} ${p}`);
      if (e.type !== 'symlink' && (e.mode & 0o6000) !== 0) lines.push(`chmod ${(e.mode & 0o7777).toString(8)} ${p}`);
    }
  }
  return lines.join('\n') + '\n';
}

export interface ErofsResult {
  readonly path: string;
  readonly sha256: string;
  readonly uuid: string;
  /** Things the image could not carry (xattrs as non-root). */
  readonly warnings: readonly string[];
}

/**
 * The header of the root directory ("./", 0755 root:root): an OCI layer has no entry for the
 * root, and mkfs.erofs --tar (1.8.6) then makes it 0777; the staging tree's root is 0755
 * (materializeTree). With it, the --tar image is the very image the same mkfs.erofs makes
 * from the staging tree.
 */
export function rootDirHeader(sourceDateEpoch: number): Uint8Array {
  return ustarHeader({ name: new TextEncoder().encode('./'), mode: 0o755, uid: 0, gid: 0, size: 0, mtime: Math.max(0, Math.floor(sourceDateEpoch)), typeflag: '5' });
}

async function* withRoot(sourceDateEpoch: number, tar: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  yield rootDirHeader(sourceDateEpoch);
  yield* tar;
}

/**
 * The EroFS image straight from the layer's tar stream (mkfs.erofs --tar=f):
 * no staging tree, the tar is read once from stdin while the layer is written.
 */
export async function writeErofsFromTar(tar: AsyncIterable<Uint8Array>, caps: MkfsErofsCaps, opts: ErofsOptions & { readonly workers: number }, deps: ErofsDeps): Promise<ErofsResult> {
  const result = await atomicOutput(opts.dest, async (image) => {
    const args = mkfsErofsTarArgs(caps, opts, deps.pageSize, image, opts.workers);
    try {
      await deps.runner.run('mkfs.erofs', args, { input: withRoot(opts.sourceDateEpoch, tar), env: toolEnv(deps.env) });
    } catch (err) {
      throw new FexpodError('mkfs.erofs --tar failed', { cause: err, fix: 'see the mkfs.erofs message above' });
    }
    return sha256File(image);
  });
  return { path: opts.dest, sha256: result, uuid: uuidFromDigest(opts.digest), warnings: [] };
}

export async function writeErofs(entries: readonly TreeEntry[], opts: ErofsOptions, deps: ErofsDeps, known?: MkfsErofsCaps): Promise<ErofsResult> {
  const caps = known ?? (await mkfsErofsCaps(deps.runner, deps.env));
  await mkdir(dirname(opts.dest), { recursive: true });
  const work = await mkdtemp(join(dirname(opts.dest), `.${basename(opts.dest)}.tmp-`));
  try {
    const stage = join(work, 'tree');
    const image = join(work, 'image.erofs');
    const args = mkfsErofsArgs(caps, opts, deps.pageSize, image, stage);
    // no hard links to content files: they live in the extraction cache, shared by builds, and
    // chown/chmod on a link would change them for every other build
    const { notApplied } = await materializeTree(entries, stage, { privileged: deps.privileged, sourceDateEpoch: opts.sourceDateEpoch });
    const warnings: string[] = [];
    // xattrs last: chown under fakeroot would drop a faked security.capability
    const replay = [...notApplied.filter((n) => n.what !== 'xattr'), ...notApplied.filter((n) => n.what === 'xattr')];
    const cmd = ['mkfs.erofs', ...args].map(shq).join(' ');
    try {
      let mkfs: Promise<unknown>;
      if (replay.length === 0) {
        mkfs = deps.runner.run('mkfs.erofs', args, { env: toolEnv(deps.env) });
      } else {
        const script = join(work, 'replay.sh');
        await writeFile(script, fakerootScript(entries, replay, stage) + `${cmd}\n`);
        mkfs = deps.runner.run('fakeroot', ['--', 'sh', script], { env: toolEnv(deps.env) });
      }
      opts.onStaged?.();
      await mkfs;
    } catch (err) {
      throw new FexpodError(`mkfs.erofs failed`, {
        cause: err,
        fix: replay.length > 0
          ? 'non-root EroFS builds of trees with non-root owners, devices or xattrs need fakeroot (>= 1.25) and setfattr (package "attr") on PATH'
          : 'see the mkfs.erofs message above',
      });
    }
    await rename(image, opts.dest);
    // hash the image while the staging tree is removed
    const [digest] = await Promise.all([sha256File(opts.dest), forceRemove(work)]);
    return { path: opts.dest, sha256: digest, uuid: uuidFromDigest(opts.digest), warnings };
  } finally {
    await forceRemove(work);
  }
}
