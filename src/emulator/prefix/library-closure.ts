/**
 * Walks the DT_NEEDED graph of one or more host binaries the way the glibc
 * loader would, without running anything: for each object its own
 * DT_RUNPATH (or DT_RPATH, plus the executable's DT_RPATH), then the
 * ld.so.conf directories, then the architecture's default directories. A
 * candidate is accepted only when its ELF class and machine match (the loader
 * skips the others too). The result is flat: every library under the name it
 * was asked for (its soname), plus the dynamic loader.
 */
import { basename, dirname } from 'node:path';
import { FexpodError } from '../../common/errors.js';
import { parseElf, searchPathOf, type ElfFile } from '../../common/elf.js';

export interface ClosureDeps {
  /** Whole file contents, or undefined when the path does not exist. */
  readFile(path: string): Promise<Uint8Array | undefined>;
  /** Canonical path (symlinks resolved), or undefined when it does not exist. */
  realpath(path: string): Promise<string | undefined>;
}

export interface ClosureFile {
  /** Name inside the prefix (soname for libraries, the given name for binaries). */
  readonly name: string;
  /** Canonical host path it was read from. */
  readonly source: string;
  readonly bytes: Uint8Array;
  readonly elf: ElfFile;
}

export interface LibraryClosure {
  readonly binaries: readonly ClosureFile[];
  /** Undefined when every binary is static. */
  readonly loader: ClosureFile | undefined;
  /** Libraries by soname, sorted by name; the loader is not repeated here. */
  readonly libraries: readonly ClosureFile[];
}

export interface ClosureInput {
  /** Host paths of the binaries, each with the name it gets in the prefix. */
  readonly binaries: readonly { readonly path: string; readonly name: string }[];
  /** ld.so.conf directories, then default directories, in search order. */
  readonly systemDirs: readonly string[];
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

export async function resolveClosure(input: ClosureInput, deps: ClosureDeps): Promise<LibraryClosure> {
  const load = async (path: string, name: string): Promise<ClosureFile> => {
    const source = await deps.realpath(path);
    const bytes = source === undefined ? undefined : await deps.readFile(source);
    if (source === undefined || bytes === undefined) throw new FexpodError(`${path}: no such file`);
    try {
      return { name, source, bytes, elf: parseElf(bytes) };
    } catch (err) {
      throw new FexpodError(`${path}: not a usable ELF file`, { cause: err });
    }
  };

  const binaries: ClosureFile[] = [];
  for (const b of input.binaries) binaries.push(await load(b.path, b.name));
  const first = binaries[0];
  if (!first) throw new FexpodError('no binaries to stage');
  for (const b of binaries) {
    if (b.elf.elfClass !== first.elf.elfClass || b.elf.machine !== first.elf.machine) {
      throw new FexpodError(`${b.source} is for a different architecture than ${first.source}`);
    }
  }

  let loader: ClosureFile | undefined;
  for (const b of binaries) {
    const interp = b.elf.interpreter;
    if (interp === undefined) continue;
    const l = await load(interp, basename(interp));
    if (loader && (loader.name !== l.name || !sameBytes(loader.bytes, l.bytes))) {
      throw new FexpodError(`${b.source} wants loader ${interp}, but another binary wants ${loader.source}`);
    }
    loader = l;
  }

  const libs = new Map<string, ClosureFile>();
  const exeRpath = (b: ClosureFile) => (b.elf.dynamic?.runpath === undefined ? searchPathOf(b.elf, dirname(b.source)) : []);

  const find = async (soname: string, from: ClosureFile, inherited: readonly string[]): Promise<ClosureFile> => {
    if (soname.includes('/')) return load(soname, basename(soname));
    const own = searchPathOf(from.elf, dirname(from.source));
    const hasRunpath = from.elf.dynamic?.runpath !== undefined;
    const dirs = [...own, ...(hasRunpath ? [] : inherited), ...input.systemDirs];
    for (const dir of dirs) {
      const candidate = `${dir}/${soname}`;
      const real = await deps.realpath(candidate);
      if (real === undefined) continue;
      const bytes = await deps.readFile(real);
      if (bytes === undefined) continue;
      let elf: ElfFile;
      try {
        elf = parseElf(bytes);
      } catch {
        continue;
      }
      if (elf.elfClass !== first.elf.elfClass || elf.machine !== first.elf.machine) continue;
      return { name: soname, source: real, bytes, elf };
    }
    throw new FexpodError(`${from.source} needs ${soname}, which is not in ${dirs.join(':')}`, {
      fix: `install the package that provides ${soname} for this architecture`,
    });
  };

  const queue: { file: ClosureFile; inherited: readonly string[] }[] = binaries.map((b) => ({ file: b, inherited: exeRpath(b) }));
  if (loader) queue.push({ file: loader, inherited: [] });
  while (queue.length > 0) {
    const item = queue.shift();
    if (!item) break;
    for (const soname of item.file.elf.dynamic?.needed ?? []) {
      if (loader && soname === loader.name) continue;
      const known = libs.get(soname);
      if (known) continue;
      const lib = await find(soname, item.file, item.inherited);
      if (loader && lib.source === loader.source) continue;
      const clash = [...libs.values()].find((l) => l.name === lib.name && !sameBytes(l.bytes, lib.bytes));
      if (clash) throw new FexpodError(`two different files provide ${soname}: ${clash.source} and ${lib.source}`);
      libs.set(soname, lib);
      const inherited = lib.elf.dynamic?.runpath === undefined ? [...searchPathOf(lib.elf, dirname(lib.source)), ...item.inherited] : [];
      queue.push({ file: lib, inherited });
    }
  }
  const libraries = [...libs.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { binaries, loader, libraries };
}
