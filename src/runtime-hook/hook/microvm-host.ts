/**
 * The host facts the hook's microVM route needs (page size, crun's build
 * flags, /dev/kvm), read only once a container turned out foreign, so the
 * native path costs nothing more. The hook runs with no PATH: crun is looked
 * for at its fixed paths. The test-only host facts (FEXPOD_TEST_HOST_FACTS,
 * host-override.ts) apply when the hook JSON's env sets them; a bad override
 * file is logged and ignored (the hook must not fail a container for it).
 */
import { readTextOrUndefined } from '../../common/read-text.js';
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import type { Arch } from '../../common/arch.js';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import { type HostOverride, kvmFact, loadHostOverride, overrideNotice } from '../../emulator/host/host-override.js';
import type { KrunHost } from '../../emulator/microvm/muvm.js';
import { pageSizeFromAuxv } from '../../emulator/host/page-size.js';
import { parseCrunFeatures } from '../../emulator/host/runtime-info.js';

export const CRUN_PATHS: readonly string[] = ['/usr/bin/crun', '/usr/local/bin/crun'];


function crunFeatures(): string[] | undefined {
  const crun = CRUN_PATHS.find((p) => existsSync(p));
  if (!crun) return undefined;
  try {
    return parseCrunFeatures(execFileSync(crun, ['--version'], { encoding: 'utf8', timeout: 3000, env: { LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch {
    return [];
  }
}

function kvm(): { present: boolean; accessible: boolean } {
  if (!existsSync('/dev/kvm')) return { present: false, accessible: false };
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    return { present: true, accessible: true };
  } catch {
    return { present: true, accessible: false };
  }
}

/** A lazy, memoised reader of the microVM facts for the hook's foreign path. */
export function hostMicroVmFacts(host: Arch, env: Readonly<Record<string, string | undefined>>, log: Logger): () => KrunHost {
  let facts: KrunHost | undefined;
  return () => {
    if (facts) return facts;
    let o: HostOverride | undefined;
    try {
      o = loadHostOverride(env, readTextOrUndefined);
      if (o) log.warn(overrideNotice(o));
    } catch (err) {
      log.error(`ignoring the test-only host facts: ${errorMessage(err)}`);
    }
    let pageSize = o?.pageSize;
    if (pageSize === undefined) {
      let auxv: Uint8Array | undefined;
      try {
        auxv = new Uint8Array(readFileSync('/proc/self/auxv'));
      } catch {
        auxv = undefined;
      }
      pageSize = (auxv && pageSizeFromAuxv(auxv, { bits: host.bits, littleEndian: endianness() === 'LE' })) ?? 4096;
    }
    facts = {
      pageSize,
      crunFeatures: o?.crunFeatures !== undefined ? (o.crunFeatures ?? undefined) : crunFeatures(),
      kvm: o?.kvm ? kvmFact(o.kvm) : kvm(),
    };
    return facts;
  };
}
