/**
 * Adapts the emulator catalogue (discovery + choice + prefix staging, owned by
 * emulator-catalogue.ts / emulator-choice.ts / emulator-prefix.ts) to what the
 * binfmt install flow needs: per guest, the usable binfmt emulators in
 * precedence order, each able to stage itself.
 */
import { Arch } from '../common/arch.js';
import { DEFAULT_PRECEDENCE, type DiscoveryDeps, type FoundEmulator, discoverEmulators } from './emulator-catalogue.js';
import { type ChoiceHost, chooseEmulator } from './emulator-choice.js';
import { type PrefixDeps, planStagedPrefix, stagePrefix } from './emulator-prefix.js';
import type { BinfmtEmulator } from './binfmt-install.js';

export interface CatalogueAdapterDeps {
  readonly host: ChoiceHost;
  readonly discovery: DiscoveryDeps;
  readonly prefixDeps: PrefixDeps;
  /** Where prefixes are staged (<stateDir>/prefix/<digest>). */
  readonly stateDir: string;
  /** First line of `<binary> --version` of a host emulator binary, if it answers. */
  version(path: string): Promise<string | undefined>;
}

export interface EmulatorSource {
  emulators(guest: Arch): Promise<readonly BinfmtEmulator[]>;
  servedGuests(): Promise<readonly Arch[]>;
}

function toBinfmt(found: FoundEmulator, deps: CatalogueAdapterDeps, version: string | undefined): BinfmtEmulator {
  const extras = found.helpers['FEXServer'] ? [found.helpers['FEXServer']] : [];
  return {
    name: found.id,
    guests: found.guests,
    interpreterPath: found.path,
    static: found.static === true,
    ...(version ? { version } : {}),
    stage: async () => {
      const staged = await stagePrefix(found.path, { stateDir: deps.stateDir, extraBinaries: extras }, deps.prefixDeps);
      return { prefix: staged.prefix, interpreter: staged.interpreter };
    },
    plan: async () => {
      const staged = await planStagedPrefix(found.path, { stateDir: deps.stateDir, extraBinaries: extras }, deps.prefixDeps);
      return { prefix: staged.prefix, interpreter: staged.interpreter };
    },
  };
}

export function catalogueEmulators(deps: CatalogueAdapterDeps): EmulatorSource {
  let found: Promise<FoundEmulator[]> | undefined;
  const all = () => (found ??= discoverEmulators(deps.host.arch, deps.discovery));
  const versions = new Map<string, Promise<string | undefined>>();
  const versionOf = (f: FoundEmulator) => {
    if (!f.id.startsWith('qemu')) return Promise.resolve(undefined);
    let v = versions.get(f.path);
    if (!v) versions.set(f.path, (v = deps.version(f.path)));
    return v;
  };
  return {
    async emulators(guest) {
      const list = await all();
      const out: BinfmtEmulator[] = [];
      for (const id of DEFAULT_PRECEDENCE) {
        const choice = chooseEmulator(list, guest, deps.host, { prefer: id, precedence: [id], purpose: 'binfmt' });
        if (choice.chosen) out.push(toBinfmt(choice.chosen, deps, await versionOf(choice.chosen)));
      }
      return out;
    },
    async servedGuests() {
      const list = await all();
      const names = new Set(list.filter((f) => f.problems.length === 0).flatMap((f) => f.guests));
      return Arch.all().filter((a) => names.has(a.name));
    },
  };
}
