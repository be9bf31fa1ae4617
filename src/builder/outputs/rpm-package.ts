/**
 * `fexpod build --format rpm`: an RPM that installs the build's EroFS image
 * where FEX and muvm look (docs/rootfs.md, docs/microvm.md):
 *
 *   rootfs profile   /usr/share/fex-emu/RootFS/<erofs name>     (muvm: RootFS/default.erofs)
 *   overlay profile  /usr/share/fex-emu/overlays/<erofs name>   (muvm: overlays/mesa-{i386,x86_64}.erofs)
 *
 * Written directly, not through rpmbuild: lead, signature header (SHA256 and
 * SHA1 of the main header, sizes), main header (rpm-header-writer.ts) and a
 * gzip'd cpio (newc) payload holding the two directories (co-owned with
 * fex-emu, which creates them too) and the image, byte for byte. Every value
 * comes from the definition, the image and SOURCE_DATE_EPOCH (build time,
 * mtimes, changelog), with a fixed build host, so the same lock gives the same
 * RPM; rpmbuild would stamp its host, its clock where the spec does not pin
 * them, and its own payload compressor (docs/build.md).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { atomicOutput, forceRemove } from '../../common/atomic-output.js';
import { FexpodError } from '../../common/errors.js';
import { MUVM_DEFAULT_NAMES } from '../../common/muvm-images.js';
import { sha256File } from '../../common/hash.js';
import { type HeaderValue, i18n, int16, int32, str, strs, writeHeader } from '../rpm/rpm-header-writer.js';
import { RpmSense, RpmSigTag, RpmTag } from '../rpm/rpm-tags.js';
import { compressPool } from '../layer/compress-pool.js';
import { ParallelGzip } from '../layer/parallel-gzip.js';

export const FEX_DATA_DIR = '/usr/share/fex-emu';

export interface RpmSettings {
  readonly name: string;
  readonly version: string;
  readonly release: string;
  readonly summary: string;
  readonly description: string;
  readonly license: string;
  readonly url?: string;
  readonly role: 'rootfs' | 'overlay';
  /** The image's file name under RootFS/ or overlays/. */
  readonly fileName: string;
}

/** Where the image goes on the installed system. */
export function rpmImageDir(role: 'rootfs' | 'overlay'): string {
  return `${FEX_DATA_DIR}/${role === 'rootfs' ? 'RootFS' : 'overlays'}`;
}

/** A warning when muvm would not mount the packaged image by default (undefined: it would; others need `muvm -f`). */
export function muvmNote(s: Pick<RpmSettings, 'role' | 'fileName'>): string | undefined {
  const names: readonly string[] = MUVM_DEFAULT_NAMES[s.role];
  if (names.includes(s.fileName)) return undefined;
  return `rpm: ${rpmImageDir(s.role)}/${s.fileName} is not one muvm mounts by default (${names.map((n) => `${rpmImageDir(s.role)}/${n}`).join(', ')}); set erofs_name in [outputs], or start muvm with -f`;
}

export function rpmFileName(s: Pick<RpmSettings, 'name' | 'version' | 'release'>): string {
  return `${s.name}-${s.version}-${s.release}.noarch.rpm`;
}

/** Version and release may not contain "-" (rpm splits NEVRA on it) or whitespace. */
export function rpmVersionPart(value: string): string {
  return value.replace(/[^A-Za-z0-9._+~^]/g, '_');
}

const GZIP_LEVEL = 6;
const MAX_CPIO_FILE = 0xffffffff;
const DIR_MODE = 0o40755;
const FILE_MODE = 0o100644;
const RPMLIB = RpmSense.RPMLIB | RpmSense.LESS | RpmSense.EQUAL;
const CHANGELOG = { TIME: 1080, NAME: 1081, TEXT: 1082 } as const;

interface PayloadFile {
  readonly path: string;
  readonly mode: number;
  readonly size: number;
  /** The image on disk (regular file); undefined for a directory. */
  readonly source?: string;
}

function cpioHeader(ino: number, f: PayloadFile, mtime: number, name: string): Buffer {
  const nameBytes = Buffer.from(`${name}\0`, 'utf8');
  const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
  const fields = [ino, f.mode, 0, 0, f.source ? 1 : 2, mtime, f.size, 0, 0, 0, 0, nameBytes.length, 0];
  const head = Buffer.from(`070701${fields.map(hex).join('')}`, 'latin1');
  const pad = (4 - ((head.length + nameBytes.length) % 4)) % 4;
  return Buffer.concat([head, nameBytes, Buffer.alloc(pad)]);
}

/** The cpio archive: directories and the image under ./ (PayloadFilesHavePrefix), then the trailer. */
async function* cpioChunks(files: readonly PayloadFile[], mtime: number, fileSha: ReturnType<typeof createHash>): AsyncGenerator<Buffer> {
  for (const [i, f] of files.entries()) {
    yield cpioHeader(i + 1, f, mtime, `.${f.path}`);
    if (!f.source) continue;
    let n = 0;
    for await (const c of createReadStream(f.source)) {
      const b = c as Buffer;
      fileSha.update(b);
      n += b.length;
      yield b;
    }
    if (n !== f.size) throw new FexpodError(`${f.source} changed size while it was packed (${n} bytes, expected ${f.size})`, { fix: 'build again' });
    const pad = (4 - (n % 4)) % 4;
    if (pad) yield Buffer.alloc(pad);
  }
  yield cpioHeader(0, { path: 'TRAILER!!!', mode: 0, size: 0, source: 'trailer' }, 0, 'TRAILER!!!');
}

interface PayloadDigests {
  readonly raw: ReturnType<typeof createHash>;
  readonly rawN: { n: number };
  readonly packed: ReturnType<typeof createHash>;
  readonly packedN: { n: number };
}

/**
 * The cpio stream gzip'd by the layers' pinned encoder (pigz-style blocks on
 * every core, the same bytes whatever Node/zlib build runs it: see
 * docs/build.md), hashed before and after, written to `dest`.
 */
async function gzipPayload(cpio: AsyncIterable<Buffer>, dest: string, d: PayloadDigests): Promise<void> {
  const out = await open(dest, 'w', 0o600);
  const pool = compressPool();
  try {
    const gz = new ParallelGzip(pool, GZIP_LEVEL, async (b) => {
      d.packed.update(b);
      d.packedN.n += b.length;
      await out.write(b);
    });
    for await (const c of cpio) {
      d.raw.update(c);
      d.rawN.n += c.length;
      await gz.push(c);
    }
    await gz.end();
  } finally {
    await pool.close();
    await out.close();
  }
}

function lead(nvr: string): Buffer {
  const b = Buffer.alloc(96);
  Buffer.from([0xed, 0xab, 0xee, 0xdb, 3, 0]).copy(b, 0);
  b.writeUInt16BE(0, 6); // binary package
  b.writeUInt16BE(0, 8); // archnum (noarch)
  Buffer.from(nvr, 'utf8').subarray(0, 65).copy(b, 10);
  b.writeUInt16BE(1, 76); // osnum: Linux
  b.writeUInt16BE(5, 78); // signature type: a header
  return b;
}

/** Writes the RPM to dest (atomically) from the EroFS image at `image`; returns its sha256. */
export async function writeRpmPackage(dest: string, image: string, s: RpmSettings, sourceDateEpoch: number): Promise<{ sha256: string }> {
  const size = (await stat(image)).size;
  if (size > MAX_CPIO_FILE) throw new FexpodError(`${image} is ${size} bytes; the RPM output handles images up to 4 GiB`, { fix: 'publish the image with fexpod push, or package it with rpmbuild' });
  const dir = rpmImageDir(s.role);
  const target = `${dir}/${s.fileName}`;
  const files: PayloadFile[] = [
    { path: FEX_DATA_DIR, mode: DIR_MODE, size: 0 },
    { path: dir, mode: DIR_MODE, size: 0 },
    { path: target, mode: FILE_MODE, size, source: image },
  ];
  const nvr = `${s.name}-${s.version}-${s.release}`;
  return atomicOutput(dest, async (tmp) => {
    // 1. The payload, to a temp file: its digests and sizes go into the headers written before it.
    const payloadTmp = `${tmp}.payload`;
    try {
      const fileSha = createHash('sha256');
      const raw = createHash('sha256');
      const packed = createHash('sha256');
      const rawN = { n: 0 };
      const packedN = { n: 0 };
      await gzipPayload(cpioChunks(files, sourceDateEpoch, fileSha), payloadTmp, { raw, rawN, packed, packedN });

      // 2. The main header.
      const each = <T>(f: (p: PayloadFile, i: number) => T) => files.map(f);
      const dirNames = [...new Set(files.map((f) => `${f.path.slice(0, f.path.lastIndexOf('/'))}/`))];
      const tags = new Map<number, HeaderValue>([
        [RpmTag.HEADERI18NTABLE, strs(['C'])],
        [RpmTag.NAME, str(s.name)],
        [RpmTag.VERSION, str(s.version)],
        [RpmTag.RELEASE, str(s.release)],
        [RpmTag.SUMMARY, i18n(s.summary)],
        [RpmTag.DESCRIPTION, i18n(s.description)],
        [RpmTag.BUILDTIME, int32(sourceDateEpoch)],
        [RpmTag.BUILDHOST, str('fexpod')],
        [RpmTag.SIZE, int32(size)],
        [RpmTag.LICENSE, str(s.license)],
        [RpmTag.GROUP, i18n('Unspecified')],
        ...(s.url ? [[RpmTag.URL, str(s.url)] as const] : []),
        [RpmTag.OS, str('linux')],
        [RpmTag.ARCH, str('noarch')],
        [RpmTag.FILESIZES, int32(...each((f) => f.size))],
        [RpmTag.FILEMODES, int16(...each((f) => f.mode))],
        [RpmTag.FILERDEVS, int16(...each(() => 0))],
        [RpmTag.FILEMTIMES, int32(...each(() => sourceDateEpoch))],
        [RpmTag.FILEDIGESTS, strs(each((f) => (f.source ? fileSha.digest('hex') : '')))],
        [RpmTag.FILELINKTOS, strs(each(() => ''))],
        [RpmTag.FILEFLAGS, int32(...each(() => 0))],
        [RpmTag.FILEUSERNAME, strs(each(() => 'root'))],
        [RpmTag.FILEGROUPNAME, strs(each(() => 'root'))],
        [RpmTag.SOURCERPM, str(`${nvr}.src.rpm`)],
        [RpmTag.FILEVERIFYFLAGS, int32(...each(() => 0xffffffff))],
        [RpmTag.PROVIDENAME, strs([s.name])],
        [RpmTag.REQUIREFLAGS, int32(RPMLIB, RPMLIB, RPMLIB)],
        [RpmTag.REQUIRENAME, strs(['rpmlib(CompressedFileNames)', 'rpmlib(FileDigests)', 'rpmlib(PayloadFilesHavePrefix)'])],
        [RpmTag.REQUIREVERSION, strs(['3.0.4-1', '4.6.0-1', '4.0-1'])],
        [CHANGELOG.TIME, int32(sourceDateEpoch)],
        [CHANGELOG.NAME, strs([`fexpod <fexpod@localhost> - ${s.version}-${s.release}`])],
        [CHANGELOG.TEXT, strs([`- ${s.role === 'rootfs' ? 'RootFS' : 'Overlay'} image built by fexpod from its lock`])],
        [RpmTag.FILEDEVICES, int32(...each(() => 1))],
        [RpmTag.FILEINODES, int32(...each((_f, i) => i + 1))],
        [RpmTag.FILELANGS, strs(each(() => ''))],
        [RpmTag.PROVIDEFLAGS, int32(RpmSense.EQUAL)],
        [RpmTag.PROVIDEVERSION, strs([`${s.version}-${s.release}`])],
        [RpmTag.DIRINDEXES, int32(...each((f) => dirNames.indexOf(`${f.path.slice(0, f.path.lastIndexOf('/'))}/`)))],
        [RpmTag.BASENAMES, strs(each((f) => f.path.slice(f.path.lastIndexOf('/') + 1)))],
        [RpmTag.DIRNAMES, strs(dirNames)],
        [RpmTag.PAYLOADFORMAT, str('cpio')],
        [RpmTag.PAYLOADCOMPRESSOR, str('gzip')],
        [RpmTag.PAYLOADFLAGS, str(String(GZIP_LEVEL))],
        [RpmTag.FILEDIGESTALGO, int32(8)],
        [RpmTag.ENCODING, str('utf-8')],
        [RpmTag.PAYLOADDIGEST, strs([packed.digest('hex')])],
        [RpmTag.PAYLOADDIGESTALGO, int32(8)],
        [RpmTag.PAYLOADDIGESTALT, strs([raw.digest('hex')])],
      ]);
      const header = writeHeader(RpmTag.HEADERIMMUTABLE, tags);

      // 3. The signature header: digests of the main header, sizes; padded to 8 bytes.
      const sig = writeHeader(RpmSigTag.HEADERSIGNATURES, new Map<number, HeaderValue>([
        [RpmSigTag.SHA1HEADER, str(createHash('sha1').update(header).digest('hex'))],
        [RpmSigTag.SHA256HEADER, str(createHash('sha256').update(header).digest('hex'))],
        [RpmSigTag.SIZE, int32(header.length + packedN.n)],
        [RpmSigTag.PAYLOADSIZE, int32(rawN.n)],
      ]));
      const sigPad = Buffer.alloc((8 - (sig.length % 8)) % 8);

      // 4. lead | signature | header | payload.
      const fh = await open(tmp, 'wx', 0o644);
      try {
        await fh.write(Buffer.concat([lead(nvr), sig, sigPad, header]));
      } finally {
        await fh.close();
      }
      await pipeline(createReadStream(payloadTmp), createWriteStream(tmp, { flags: 'a' }));
    } finally {
      await forceRemove(payloadTmp);
    }
    return { sha256: await sha256File(tmp) };
  });
}
