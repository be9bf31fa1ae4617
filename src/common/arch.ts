/**
 * The one architecture value type. Parsed once at the boundary from any of the
 * spellings users and tools use, converted to each ecosystem's name on demand.
 */

export type ArchName = 'x86_64' | 'i386' | 'aarch64' | 'arm';

export interface ElfIdentity {
  /** EI_CLASS: 1 = 32-bit, 2 = 64-bit */
  readonly elfClass: 1 | 2;
  /** EI_DATA: 1 = little endian */
  readonly elfData: 1 | 2;
  /** e_machine */
  readonly machine: number;
}

interface ArchFacts extends ElfIdentity {
  readonly aliases: readonly string[];
  readonly rpm: string;
  readonly oci: { readonly architecture: string; readonly variant?: string };
  readonly qemu: string;
  readonly node: string;
  readonly debian: string;
  readonly bits: 32 | 64;
}

const FACTS: Readonly<Record<ArchName, ArchFacts>> = {
  x86_64: {
    aliases: ['x86_64', 'amd64', 'x64', 'x86-64'],
    rpm: 'x86_64',
    oci: { architecture: 'amd64' },
    qemu: 'x86_64',
    node: 'x64',
    debian: 'amd64',
    bits: 64,
    elfClass: 2,
    elfData: 1,
    machine: 0x3e,
  },
  i386: {
    aliases: ['i386', 'i486', 'i586', 'i686', '386', 'x86', 'ia32'],
    rpm: 'i686',
    oci: { architecture: '386' },
    qemu: 'i386',
    node: 'ia32',
    debian: 'i386',
    bits: 32,
    elfClass: 1,
    elfData: 1,
    machine: 0x03,
  },
  aarch64: {
    aliases: ['aarch64', 'arm64', 'arm64/v8'],
    rpm: 'aarch64',
    oci: { architecture: 'arm64', variant: 'v8' },
    qemu: 'aarch64',
    node: 'arm64',
    debian: 'arm64',
    bits: 64,
    elfClass: 2,
    elfData: 1,
    machine: 0xb7,
  },
  arm: {
    aliases: ['arm', 'armhf', 'armv7', 'armv7l', 'armv7hl', 'arm/v7', 'armel'],
    rpm: 'armv7hl',
    oci: { architecture: 'arm', variant: 'v7' },
    qemu: 'arm',
    node: 'arm',
    debian: 'armhf',
    bits: 32,
    elfClass: 1,
    elfData: 1,
    machine: 0x28,
  },
};

export const ARCH_NAMES: readonly ArchName[] = ['x86_64', 'i386', 'aarch64', 'arm'];

/** The spellings a --guest option offers (shell completion): each name and its usual alias. */
export const GUEST_ARCH_WORDS: readonly string[] = ['x86_64', 'amd64', 'i386', 'i686', 'aarch64', 'arm64', 'arm', 'armhf'];

export class UnknownArchError extends Error {
  constructor(readonly input: string) {
    super(
      `unknown architecture "${input}": use one of x86_64 (amd64), i386 (i686), aarch64 (arm64), arm (armhf)`,
    );
    this.name = 'UnknownArchError';
  }
}

export class Arch implements ElfIdentity {
  private static readonly byName = new Map<ArchName, Arch>();

  private constructor(
    readonly name: ArchName,
    private readonly facts: ArchFacts,
  ) {}

  static of(name: ArchName): Arch {
    let a = Arch.byName.get(name);
    if (!a) {
      a = new Arch(name, FACTS[name]);
      Arch.byName.set(name, a);
    }
    return a;
  }

  /** Parse any common spelling (uname, RPM, OCI, Debian, Node, QEMU). */
  static parse(input: string): Arch {
    const s = input.trim().toLowerCase();
    for (const name of ARCH_NAMES) {
      if (FACTS[name].aliases.includes(s)) return Arch.of(name);
    }
    throw new UnknownArchError(input);
  }

  static tryParse(input: string): Arch | undefined {
    try {
      return Arch.parse(input);
    } catch {
      return undefined;
    }
  }

  /** The architecture of an ELF identity (class + machine), if we know it. */
  static fromElf(elfClass: number, machine: number): Arch | undefined {
    for (const name of ARCH_NAMES) {
      const f = FACTS[name];
      if (f.elfClass === elfClass && f.machine === machine) return Arch.of(name);
    }
    return undefined;
  }

  /** From Node's process.arch. */
  static fromNode(nodeArch: string): Arch {
    return Arch.parse(nodeArch);
  }

  static all(): Arch[] {
    return ARCH_NAMES.map((n) => Arch.of(n));
  }

  get elfClass(): 1 | 2 {
    return this.facts.elfClass;
  }
  get elfData(): 1 | 2 {
    return this.facts.elfData;
  }
  get machine(): number {
    return this.facts.machine;
  }
  get bits(): 32 | 64 {
    return this.facts.bits;
  }
  /** RPM's name of the arch (x86_64, i686, aarch64, armv7hl). */
  get rpm(): string {
    return this.facts.rpm;
  }
  /** OCI platform architecture + variant (amd64, 386, arm64/v8, arm/v7). */
  get oci(): { readonly architecture: string; readonly variant?: string } {
    return this.facts.oci;
  }
  /** QEMU's user-mode suffix (qemu-x86_64, qemu-i386, qemu-aarch64, qemu-arm). */
  get qemu(): string {
    return this.facts.qemu;
  }
  get debian(): string {
    return this.facts.debian;
  }
  /** FEX serves x86 guests; its binfmt entries are named FEX-x86_64 and FEX-x86. */
  get fexBinfmtName(): string | undefined {
    if (this.name === 'x86_64') return 'FEX-x86_64';
    if (this.name === 'i386') return 'FEX-x86';
    return undefined;
  }
  /** Architectures a host of this arch can run natively (64-bit hosts with 32-bit compat). */
  get nativeGuests(): readonly Arch[] {
    switch (this.name) {
      case 'x86_64':
        return [this, Arch.of('i386')];
      case 'aarch64':
        // Many aarch64 CPUs (Apple M-series, recent Neoverse) have no AArch32; treat arm as foreign.
        return [this];
      default:
        return [this];
    }
  }
  isNativeOn(host: Arch): boolean {
    return host.nativeGuests.includes(this);
  }
  toString(): string {
    return this.name;
  }
  toJSON(): string {
    return this.name;
  }
}
