/**
 * Adapts the emulator catalogue (discovery + choice + prefix staging, owned by
 * emulator-catalogue.ts / emulator-choice.ts / emulator-prefix.ts) to what the
 * binfmt install flow needs: per guest, the usable binfmt emulators in
 * precedence order, each able to stage itself.
 */
import { join } from 'node:path';
import { Arch } from '../../common/arch.js';
import { DEFAULT_PRECEDENCE, type DiscoveryDeps, type FoundEmulator, discoverEmulators } from '../emulator-catalogue.js';
import { type ChoiceHost, chooseEmulator } from '../emulator-choice.js';
import { type PrefixDeps, planStagedPrefix, stagePrefix } from '../prefix/emulator-prefix.js';
import type { BinfmtEmulator } from './binfmt-install.js';
import { buildRule } from './binfmt-plan.js';
import { formatRegistration } from './binfmt-rule.js';
import type { MicroVmGuestEntry } from './install-state.js';
import { DISPATCHER_FILE_NAME, dispatcherScript } from '../microvm/dispatcher-script.js';
import { GUEST_INIT_NAME } from '../microvm/guest-init.js';
import { needsMicroVm } from '../microvm/muvm.js';

export interface CatalogueAdapterDeps {
  readonly host: ChoiceHost;
  readonly discovery: DiscoveryDeps;
  readonly prefixDeps: PrefixDeps;
  /** Where prefixes are staged (<stateDir>/prefix/<digest>). */
  readonly stateDir: string;
  /** First line of `<binary> --version` of a host emulator binary, if it answers. */
  version(path: string): Promise<string | undefined>;
  /** Non-4k hosts: the dispatcher registered for muvm, and fexpod-guest-init for krun containers. */
  readonly microvm?: {
    /** node, for the dispatcher script's "#!" line. */
    readonly node: string;
    /** The lean CommonJS dispatch-main.js. */
    readonly dispatchEntry: string;
    /** fexpod-guest-init built for this host, if it was. */
    readonly guestInit: string | undefined;
    writeFileAtomic(path: string, text: string, mode: number): Promise<void>;
  };
}

export interface EmulatorSource {
  emulators(guest: Arch): Promise<readonly BinfmtEmulator[]>;
  servedGuests(): Promise<readonly Arch[]>;
  microvm(guests: readonly Arch[]): Promise<readonly MicroVmGuestEntry[]>;
}

function toBinfmt(found: FoundEmulator, deps: CatalogueAdapterDeps, version: string | undefined): BinfmtEmulator {
  const vm = deps.microvm;
  if (found.id === 'muvm' && vm) {
    // The interpreter is fexpod's dispatcher, which runs muvm; nothing to stage.
    const script = join(deps.stateDir, 'dispatch', DISPATCHER_FILE_NAME);
    return {
      name: 'muvm',
      guests: found.guests,
      interpreterPath: script,
      static: false,
      writes: [script],
      stage: async () => {
        await vm.writeFileAtomic(script, dispatcherScript(vm.node, vm.dispatchEntry), 0o755);
        return { prefix: undefined, interpreter: script };
      },
      plan: async () => ({ prefix: undefined, interpreter: script }),
    };
  }
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
    async microvm(guests) {
      if (!deps.microvm || !needsMicroVm(deps.host.pageSize)) return [];
      const fex = (await all()).find((f) => f.id === 'fex' && f.problems.length === 0);
      const served = guests.filter((g) => fex?.guests.includes(g.name));
      if (!fex || served.length === 0) return [];
      const extras = [fex.helpers['FEXServer'], deps.microvm.guestInit].filter((p): p is string => p !== undefined);
      const staged = await stagePrefix(fex.path, { stateDir: deps.stateDir, extraBinaries: extras }, deps.prefixDeps);
      const guestInit = staged.extra[GUEST_INIT_NAME];
      const prefix = staged.prefix;
      if (prefix === undefined) return []; // a static FEX: nothing the hook could bind-mount with fexpod-guest-init
      return served.map((g): MicroVmGuestEntry => ({
        guest: g.name,
        prefix,
        interpreter: staged.interpreter,
        registration: formatRegistration(buildRule(g, 'fex', staged.interpreter, 'POCF')),
        ...(guestInit ? { guestInit } : {}),
      }));
    },
  };
}
