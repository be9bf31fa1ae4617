/**
 * primary.xml: one <package> per RPM. Parsed as a stream (Fedora's is hundreds of MB) into the
 * few fields a lock needs; dependencies are left to libsolv, which reads the same file.
 */
import type { Readable } from 'node:stream';
import { SaxesParser } from 'saxes';
import { MetadataError, xmlErrorText } from './metadata-error.js';

export interface PackageRecord {
  readonly name: string;
  readonly epoch: number;
  readonly version: string;
  readonly release: string;
  readonly arch: string;
  /** The package checksum (createrepo_c's pkgid). */
  readonly checksum: { readonly type: string; readonly value: string };
  /** Size of the .rpm file in bytes. */
  readonly size: number;
  /** Relative to the repository base URL (or to `locationBase` when set). */
  readonly location: string;
  readonly locationBase: string | undefined;
  readonly sourcerpm: string | undefined;
}

interface Partial {
  name?: string;
  arch?: string;
  epoch?: number;
  version?: string;
  release?: string;
  checksum?: { type: string; value: string };
  size?: number;
  location?: string;
  locationBase?: string;
  sourcerpm?: string;
  line: number;
}

const WANT_TEXT = new Set(['name', 'arch', 'checksum', 'rpm:sourcerpm']);

/** Incremental parser: feed text chunks, collect records. */
export class PrimaryParser {
  private readonly parser = new SaxesParser({ xmlns: false, position: true });
  private readonly out: PackageRecord[] = [];
  private cur: Partial | undefined;
  private text = '';
  private depth = 0;
  private csType = '';
  private root: string | undefined;
  private declared: number | undefined;

  constructor(private readonly source: string) {
    const p = this.parser;
    p.on('opentag', (tag) => {
      this.depth++;
      this.root ??= tag.name;
      if (this.depth === 1) {
        const n = tag.attributes['packages'];
        if (n !== undefined) this.declared = Number(n);
      }
      if (tag.name === 'package' && this.depth === 2) {
        this.cur = { line: p.line };
        return;
      }
      const c = this.cur;
      if (!c || this.depth !== 3 && tag.name !== 'rpm:sourcerpm') return;
      this.text = '';
      switch (tag.name) {
        case 'version': {
          const e = tag.attributes['epoch'];
          c.epoch = e === undefined || e === '' ? 0 : Number(e);
          c.version = tag.attributes['ver'];
          c.release = tag.attributes['rel'];
          break;
        }
        case 'checksum':
          this.csType = tag.attributes['type'] ?? '';
          break;
        case 'size':
          c.size = Number(tag.attributes['package']);
          break;
        case 'location':
          c.location = tag.attributes['href'];
          if (tag.attributes['xml:base']) c.locationBase = tag.attributes['xml:base'];
          break;
      }
    });
    p.on('text', (t) => {
      if (this.cur) this.text += t;
    });
    p.on('closetag', (tag) => {
      this.depth--;
      const c = this.cur;
      if (!c) return;
      if (WANT_TEXT.has(tag.name) && (this.depth === 2 || tag.name === 'rpm:sourcerpm')) {
        const v = this.text.trim();
        if (tag.name === 'name') c.name = v;
        else if (tag.name === 'arch') c.arch = v;
        else if (tag.name === 'checksum') c.checksum = { type: this.csType, value: v.toLowerCase() };
        else if (v !== '') c.sourcerpm = v;
      }
      if (tag.name === 'package' && this.depth === 1) {
        this.out.push(this.finish(c));
        this.cur = undefined;
      }
    });
  }

  private finish(c: Partial): PackageRecord {
    const where = `${this.source}: <package> at line ${c.line}${c.name ? ` (${c.name})` : ''}`;
    const need = (ok: unknown, what: string) => {
      if (!ok) throw new MetadataError(`${where} has no ${what}`);
    };
    need(c.name, '<name>');
    need(c.arch, '<arch>');
    need(c.version !== undefined && c.release !== undefined, '<version ver rel>');
    need(c.checksum && /^[0-9a-f]{32,128}$/.test(c.checksum.value), '<checksum> (hex)');
    need(c.location, '<location href>');
    need(c.size !== undefined && Number.isSafeInteger(c.size) && c.size >= 0, '<size package>');
    if (c.epoch === undefined || !Number.isSafeInteger(c.epoch) || c.epoch < 0) throw new MetadataError(`${where} has an invalid epoch`);
    return {
      name: c.name!,
      epoch: c.epoch,
      version: c.version!,
      release: c.release!,
      arch: c.arch!,
      checksum: c.checksum!,
      size: c.size!,
      location: c.location!,
      locationBase: c.locationBase,
      sourcerpm: c.sourcerpm,
    };
  }

  write(chunk: string): void {
    try {
      this.parser.write(chunk);
    } catch (err) {
      if (err instanceof MetadataError) throw err;
      throw new MetadataError(`${this.source} is not valid XML: ${xmlErrorText(err)}`, { cause: err });
    }
  }

  end(): PackageRecord[] {
    try {
      this.parser.close();
    } catch (err) {
      if (err instanceof MetadataError) throw err;
      throw new MetadataError(`${this.source} is not valid XML: ${xmlErrorText(err)}`, { cause: err });
    }
    if (this.root !== 'metadata') throw new MetadataError(`${this.source} is not primary metadata (root <${this.root ?? 'none'}>)`);
    if (this.declared !== undefined && this.declared !== this.out.length) {
      throw new MetadataError(`${this.source} declares ${this.declared} packages but holds ${this.out.length}`);
    }
    return this.out;
  }
}

/** Parses a primary.xml stream (already decompressed). */
export async function parsePrimary(stream: Readable, source: string): Promise<PackageRecord[]> {
  const p = new PrimaryParser(source);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of stream) {
      p.write(decoder.decode(chunk as Uint8Array, { stream: true }));
    }
    p.write(decoder.decode());
  } catch (err) {
    if (err instanceof MetadataError) throw err;
    if (err instanceof TypeError) throw new MetadataError(`${source} is not valid UTF-8`, { cause: err });
    throw err;
  }
  return p.end();
}
