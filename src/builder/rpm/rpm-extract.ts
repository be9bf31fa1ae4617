/**
 * Reads one RPM into memory-light form: its header's file list plus the
 * content of every regular file, streamed out of the payload into a
 * ContentStore and checked against FILEDIGESTS. Nothing is written as a file
 * of the image and nothing is executed (no scriptlets).
 *
 * Payload rules, as rpm's archive reader (lib/rpmfi.cc iterReadArchiveNext):
 * newc entries are matched to the header by name ("./usr/bin/ls"), stripped
 * entries by file index; %ghost files are not in the payload (and are skipped
 * if an old rpm put them there); in a hardlink set only the last member
 * carries data; symlink targets come from FILELINKTOS; a file the header
 * lists but the payload lacks (not %ghost) is an error, as is an entry the
 * header does not list.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { FexpodError } from '../../common/errors.js';
import type { ContentStore, ContentWriter } from '../tree/content-store.js';
import { CpioReader, type CpioHeader } from './cpio.js';
import { payloadChunks } from './rpm-payload.js';
import { fileType, rpmFileList, RpmFileFlag, S_IFLNK, S_IFREG, type RpmFile } from './rpm-files.js';
import { formatNevra, headerNevra, parseRpmHeaders, RpmTruncatedError, type RpmHeader, type RpmPackageHeaders } from './rpm-header.js';
import type { ContentSource } from '../tree/tree.js';

export class RpmExtractError extends FexpodError {}

export interface ExtractedRpm {
  /** NEVRA, e.g. "bash-5.2.26-3.fc40.x86_64". */
  readonly nevra: string;
  readonly name: string;
  readonly arch: string;
  readonly header: RpmHeader;
  readonly files: readonly RpmFile[];
  /** Content of every non-ghost regular file, by file index (hardlink members share one). */
  readonly content: ReadonlyMap<number, ContentSource>;
}

/** Lookup key for a header path or payload name: without "./" or "/" in front. */
function key(s: string): string {
  return s.replace(/^\.?\/+/, '');
}

/**
 * Extracts the payload given the parsed main header and the compressed
 * payload bytes. Pure apart from the ContentStore it writes to.
 */
export async function extractPayload(
  header: RpmHeader,
  compressed: AsyncIterable<Uint8Array>,
  store: ContentStore,
): Promise<ExtractedRpm> {
  const nv = headerNevra(header);
  const nevra = formatNevra(nv);
  const { files, digestAlgo } = rpmFileList(header);
  const byPath = new Map<string, number>();
  for (const f of files) byPath.set(key(f.path), f.index);
  const found = new Uint8Array(files.length);
  const content = new Map<number, ContentSource>();

  let current: { file: RpmFile | undefined; writer?: ContentWriter; hash?: Hash } | undefined;
  const reader = new CpioReader({
    header(h: CpioHeader): number {
      let fx: number;
      if (h.kind === 'stripped') fx = h.fileIndex;
      else {
        const p = new TextDecoder('utf-8').decode(h.name);
        const i = byPath.get(key(p));
        if (i === undefined) throw new RpmExtractError(`payload entry ${p} is not in the header's file list`);
        fx = i;
      }
      const file = files[fx];
      if (!file) throw new RpmExtractError(`payload entry refers to file index ${fx}, the header has ${files.length}`);
      found[fx] = 1;
      const cpioSize = h.kind === 'newc' ? h.size : undefined;
      if (file.flags & RpmFileFlag.GHOST) {
        current = { file: undefined };
        return cpioSize ?? 0;
      }
      const type = fileType(file.mode);
      let size: number;
      if (type === S_IFREG) {
        const links = file.hardlinks;
        const carries = links.length <= 1 || links[links.length - 1] === fx;
        size = cpioSize ?? (carries ? file.size : 0);
        if (size > 0 || (carries && file.size === 0)) {
          if (size !== file.size) {
            throw new RpmExtractError(`${file.path}: payload has ${size} bytes, the header says ${file.size}`);
          }
          // the store hashes with sha256 already: a second sha256 pass would only repeat it
          current = { file, writer: store.create(), ...(digestAlgo === 'sha256' ? {} : { hash: createHash(digestAlgo) }) };
          return size;
        }
        current = { file: undefined };
        return size;
      }
      if (type === S_IFLNK) size = cpioSize ?? file.size;
      else size = cpioSize ?? 0;
      current = { file: undefined };
      return size;
    },
    data(chunk: Uint8Array): void {
      current?.writer?.write(chunk);
      current?.hash?.update(chunk);
    },
    end(): void {
      const c = current;
      current = undefined;
      if (!c?.file || !c.writer) return;
      const src = c.writer.finish();
      const digest = c.hash ? c.hash.digest('hex') : src.sha256;
      if (c.file.digest !== '' && c.file.digest !== digest) {
        throw new RpmExtractError(`${c.file.path}: content ${digestAlgo} ${digest} does not match the header's ${c.file.digest}`, {
          fix: 'the package is corrupt or was tampered with; download it again',
        });
      }
      const members = c.file.hardlinks.length > 1 ? c.file.hardlinks : [c.file.index];
      for (const m of members) content.set(m, src);
    },
  });
  // Read to the very end even after the cpio trailer, so the decompressor
  // checks the stream's own end (xz index and check, gzip CRC, zstd frame).
  for await (const chunk of payloadChunks(header, compressed)) reader.push(chunk);
  reader.finish();
  for (const f of files) {
    if (f.flags & RpmFileFlag.GHOST) continue;
    if (!found[f.index]) throw new RpmExtractError(`${f.path} is in the header but missing from the payload`);
    if (fileType(f.mode) === S_IFREG && !content.has(f.index)) {
      throw new RpmExtractError(`${f.path}: no content in the payload (hardlink set without data)`);
    }
  }
  return { nevra, name: nv.name, arch: nv.arch, header, files, content };
}

/** For an extraction failure without a fix of its own: how to tell a broken package from a fexpod bug. */
const EXTRACT_FIX =
  'the package passed verification, so this is its signed content: if "rpm2cpio PACKAGE | cpio -t" reads it, fexpod cannot and that is a bug to report with the package name; otherwise the package is broken at its source';

/**
 * Reads an RPM file: headers from its start, then the streamed payload. Errors name the package
 * (its NEVRA from the header), not the file, which is usually a content-addressed cache blob.
 */
export async function extractRpmFile(path: string, store: ContentStore): Promise<ExtractedRpm> {
  let label = path;
  try {
    const pkg = await readRpmHeaders(path);
    label = formatNevra(headerNevra(pkg.header));
    const stream = createReadStream(path, { start: pkg.ranges.payloadOffset, highWaterMark: 1024 * 1024 });
    try {
      return await extractPayload(pkg.header, stream, store);
    } finally {
      stream.destroy();
    }
  } catch (err) {
    const fix = err instanceof FexpodError && err.fix ? err.fix : EXTRACT_FIX;
    throw new RpmExtractError(`${label}: ${err instanceof Error ? err.message : String(err)}`, { cause: err, fix });
  }
}

/** The headers at the start of an RPM file: 64 KiB read at once, more when they are longer. */
export async function readRpmHeaders(path: string): Promise<RpmPackageHeaders> {
  let want = 64 * 1024;
  for (;;) {
    const fh = await open(path, 'r');
    let head: Buffer;
    try {
      const buf = Buffer.alloc(want);
      const { bytesRead } = await fh.read(buf, 0, want, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
    try {
      return parseRpmHeaders(head);
    } catch (err) {
      if (err instanceof RpmTruncatedError && err.needed > want && head.length >= want) {
        want = err.needed;
        continue;
      }
      throw err;
    }
  }
}
