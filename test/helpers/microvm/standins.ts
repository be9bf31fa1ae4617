/**
 * Lays out the microVM stand-ins for a dispatcher test in a fresh directory
 * (readable by an unprivileged user, since the dispatcher refuses root):
 *
 *   bin/muvm           the recording muvm stand-in (muvm-standin.ts)
 *   bin/FEX            the FEX stand-in, started directly (FEX <program> <args>)
 *   bin/FEXServer      FEX's helper, so discovery accepts bin/FEX
 *   guest-fex          the FEX stand-in as the guest's binfmt_misc interpreter (P layout)
 *   muvm.log           one JSON line per muvm call
 *
 * Each "x86 program" is a file starting with a magic of this run's own, which
 * the guest's FEX-x86_64 entry catches.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MuvmStandInConfig } from './muvm-standin.js';

export interface StandIns {
  readonly dir: string;
  readonly bin: string;
  readonly log: string;
  readonly magic64: string;
  readonly magic32: string;
  /** Writes an "x86 program" (the magic, then a newline) and returns its path. */
  program(name: string, magic?: string): string;
  /** The muvm calls recorded so far. */
  calls(): { argv: string[]; interactive: boolean; tty: boolean; images: string[]; envs: string[]; command: string[] }[];
}

/** A Node script file that runs an ES module's main(), with env and leading arguments set first. */
export function nodeWrapper(path: string, module: string, opts: { env?: Record<string, string>; args?: string[] } = {}): void {
  const lines = [`#!${process.execPath}`];
  for (const [k, v] of Object.entries(opts.env ?? {})) lines.push(`process.env[${JSON.stringify(k)}] = ${JSON.stringify(v)};`);
  if (opts.args?.length) lines.push(`process.argv.splice(2, 0, ...${JSON.stringify(opts.args)});`);
  // The module only exports main(): loading it (as the test runner does with every file under test/) runs nothing.
  lines.push(`import(${JSON.stringify(pathToFileURL(module).href)}).then((m) => m.main());`);
  writeFileSync(path, lines.join('\n') + '\n', { mode: 0o755 });
  chmodSync(path, 0o755);
}

export function makeStandIns(): StandIns {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-dispatch-test-'));
  chmodSync(dir, 0o755);
  const bin = join(dir, 'bin');
  mkdirSync(bin, { mode: 0o755 });
  const here = new URL('.', import.meta.url).pathname;
  const tag = randomBytes(4).toString('hex');
  const cfg: MuvmStandInConfig = {
    log: join(dir, 'muvm.log'),
    guestFex: join(dir, 'guest-fex'),
    magic64: `FXPD64${tag}`,
    magic32: `FXPD32${tag}`,
    guestRunDir: '/run/user/guest-standin',
  };
  writeFileSync(cfg.log, '');
  chmodSync(cfg.log, 0o666);
  const cfgFile = join(dir, 'muvm-standin.json');
  writeFileSync(cfgFile, JSON.stringify(cfg));
  chmodSync(cfgFile, 0o644);
  nodeWrapper(join(bin, 'muvm'), join(here, 'muvm-standin.js'), { env: { MUVM_STANDIN_CONFIG: cfgFile } });
  nodeWrapper(join(bin, 'FEX'), join(here, 'fex-standin.js'));
  nodeWrapper(cfg.guestFex, join(here, 'fex-standin.js'), { args: ['--binfmt'] });
  writeFileSync(join(bin, 'FEXServer'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  return {
    dir,
    bin,
    log: cfg.log,
    magic64: cfg.magic64,
    magic32: cfg.magic32,
    program(name, magic = cfg.magic64) {
      const p = join(dir, name);
      writeFileSync(p, `${magic}\n`, { mode: 0o755 });
      chmodSync(p, 0o755);
      return p;
    },
    calls: () => readFileSync(cfg.log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as ReturnType<StandIns['calls']>[number]),
  };
}
