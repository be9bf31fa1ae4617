/**
 * The binfmt_misc controller: the only code that talks to
 * /proc/sys/fs/binfmt_misc. Effects go through a four-call filesystem
 * interface so unit tests can run it against a fake kernel.
 *
 * Kernel facts it relies on:
 * - `register` takes one line per write(); a name that exists fails EEXIST;
 *   with the F flag the kernel opens the interpreter right away (ENOENT when
 *   it is missing).
 * - Writing 1 / 0 / -1 to an entry enables / disables / removes it.
 * - The most recently registered matching entry wins, so replacing an entry
 *   goes through a temporary name: the new rule is live before the old one is
 *   removed, and no exec falls through to another handler meanwhile.
 */
import { join } from 'node:path';
import { FexpodError, errnoCode, errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import { type BinfmtEntry, parseEntryFile } from './binfmt-entry.js';
import { type BinfmtRule, formatRegistration, sameRegistration } from './binfmt-rule.js';

export const BINFMT_MISC_DIR = '/proc/sys/fs/binfmt_misc';

export interface BinfmtFs {
  readdir(path: string): Promise<string[]>;
  readFile(path: string): Promise<string>;
  /** One write() of the whole text (the kernel parses each write on its own). */
  writeFile(path: string, text: string): Promise<void>;
  /** mount -t binfmt_misc binfmt_misc <path> */
  mountBinfmtMisc(path: string): Promise<void>;
}

export class BinfmtError extends FexpodError {}

export type RegisterOutcome = 'registered' | 'unchanged' | 'replaced';

export interface BinfmtControllerOptions {
  readonly fs: BinfmtFs;
  readonly log: Logger;
  readonly dir?: string;
}

export class BinfmtController {
  readonly dir: string;
  private readonly fs: BinfmtFs;
  private readonly log: Logger;

  constructor(opts: BinfmtControllerOptions) {
    this.fs = opts.fs;
    this.log = opts.log;
    this.dir = opts.dir ?? BINFMT_MISC_DIR;
  }

  private path(name: string): string {
    return join(this.dir, name);
  }

  /** Mounts binfmt_misc when its `register` file is not there yet. */
  async ensureMounted(): Promise<void> {
    if (await this.isMounted()) return;
    this.log.info(`mounting binfmt_misc at ${this.dir}`);
    try {
      await this.fs.mountBinfmtMisc(this.dir);
    } catch (err) {
      throw new BinfmtError(`binfmt_misc is not mounted at ${this.dir} and mounting it failed: ${errorMessage(err)}`, {
        cause: err,
        fix: `run as root, or mount it yourself: mount -t binfmt_misc binfmt_misc ${this.dir}`,
      });
    }
    if (!(await this.isMounted())) {
      throw new BinfmtError(`mounted binfmt_misc at ${this.dir} but ${this.path('register')} is still missing`, {
        fix: 'check that the kernel has CONFIG_BINFMT_MISC (modprobe binfmt_misc)',
      });
    }
  }

  async isMounted(): Promise<boolean> {
    try {
      return (await this.fs.readdir(this.dir)).includes('register');
    } catch {
      return false;
    }
  }

  /** The global switch (/proc/sys/fs/binfmt_misc/status): when off, no entry is used. */
  async globallyEnabled(): Promise<boolean> {
    try {
      return (await this.fs.readFile(this.path('status'))).trim() === 'enabled';
    } catch {
      return false;
    }
  }

  /** Every entry, by name (unreadable or vanished entries are skipped). */
  async list(): Promise<BinfmtEntry[]> {
    let names: string[];
    try {
      names = await this.fs.readdir(this.dir);
    } catch (err) {
      throw new BinfmtError(`cannot list ${this.dir}: ${errorMessage(err)}`, { cause: err, fix: 'is binfmt_misc mounted? run "fexpod doctor"' });
    }
    const out: BinfmtEntry[] = [];
    for (const name of names.filter((n) => n !== 'register' && n !== 'status').sort()) {
      const e = await this.get(name);
      if (e) out.push(e);
    }
    return out;
  }

  async get(name: string): Promise<BinfmtEntry | undefined> {
    let text: string;
    try {
      text = await this.fs.readFile(this.path(name));
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return undefined;
      throw new BinfmtError(`cannot read ${this.path(name)}: ${errorMessage(err)}`, { cause: err });
    }
    return parseEntryFile(name, text);
  }

  /** Writes one line to `register`. Throws the raw errno error (callers map it). */
  private async rawRegister(rule: BinfmtRule): Promise<void> {
    await this.fs.writeFile(this.path('register'), formatRegistration(rule));
  }

  private registerError(rule: BinfmtRule, err: unknown): BinfmtError {
    const code = errnoCode(err);
    const line = formatRegistration(rule);
    const fix =
      code === 'ENOENT'
        ? `the interpreter ${rule.interpreter} does not exist (the F flag makes the kernel open it now)`
        : code === 'EACCES' || code === 'EPERM'
          ? 'registering binfmt_misc entries needs root'
          : code === 'EINVAL'
            ? 'the kernel rejected the line; check the magic, mask and flags'
            : undefined;
    return new BinfmtError(`registering ${rule.name} failed (${code ?? errorMessage(err)}): ${line}`, { cause: err, ...(fix ? { fix } : {}) });
  }

  /**
   * Makes `rule` the live, enabled entry of its name. Idempotent: an identical
   * entry is left alone (and enabled); a different one is replaced without a
   * gap; EEXIST from a concurrent registration is tolerated.
   */
  async register(rule: BinfmtRule): Promise<RegisterOutcome> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const existing = await this.get(rule.name);
      if (existing && sameRegistration(existing.rule, rule)) {
        if (!existing.enabled) await this.enable(rule.name);
        return 'unchanged';
      }
      if (existing) {
        await this.replace(existing, rule);
        return 'replaced';
      }
      try {
        await this.rawRegister(rule);
        return 'registered';
      } catch (err) {
        if (errnoCode(err) !== 'EEXIST') throw this.registerError(rule, err);
        this.log.debug(`${rule.name}: registered concurrently by someone else; checking it`);
      }
    }
    throw new BinfmtError(`${rule.name} keeps changing under us while registering it`, { fix: 'stop other tools that register binfmt_misc entries and retry' });
  }

  private async replace(existing: BinfmtEntry, rule: BinfmtRule): Promise<void> {
    this.log.info(`${rule.name}: replacing the existing entry (interpreter ${existing.rule.interpreter}, flags ${existing.rule.flags || '-'})`);
    // A temporary twin first: registered later, it wins while the name is swapped.
    const twin: BinfmtRule = { ...rule, name: `${rule.name}.fexpod-new`, spelling: undefined };
    const twinLive = rule.type === 'M';
    if (twinLive) {
      await this.removeIfPresent(twin.name);
      try {
        await this.rawRegister(twin);
      } catch (err) {
        throw this.registerError(twin, err);
      }
    }
    try {
      await this.removeIfPresent(rule.name);
      try {
        await this.rawRegister(rule);
      } catch (err) {
        if (errnoCode(err) !== 'EEXIST') throw this.registerError(rule, err);
        const now = await this.get(rule.name);
        if (!now || !sameRegistration(now.rule, rule)) throw this.registerError(rule, err);
      }
    } finally {
      if (twinLive) await this.removeIfPresent(twin.name);
    }
  }

  async enable(name: string): Promise<void> {
    await this.writeEntry(name, '1');
  }

  async disable(name: string): Promise<void> {
    await this.writeEntry(name, '0');
  }

  async remove(name: string): Promise<void> {
    await this.writeEntry(name, '-1');
  }

  /**
   * Removes an entry; false when it was already gone. (Opening a missing entry
   * for writing fails with EACCES, not ENOENT: the kernel refuses to create
   * it. So look first.)
   */
  async removeIfPresent(name: string): Promise<boolean> {
    if (!(await this.get(name))) return false;
    try {
      await this.fs.writeFile(this.path(name), '-1');
      return true;
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return false;
      throw new BinfmtError(`removing ${name} failed: ${errorMessage(err)}`, { cause: err });
    }
  }

  private async writeEntry(name: string, value: '1' | '0' | '-1'): Promise<void> {
    try {
      await this.fs.writeFile(this.path(name), value);
    } catch (err) {
      const what = value === '1' ? 'enabling' : value === '0' ? 'disabling' : 'removing';
      throw new BinfmtError(`${what} ${name} failed: ${errorMessage(err)}`, { cause: err });
    }
  }

  /** Registers a saved line verbatim (restoring an entry that vanished). */
  async restore(line: BinfmtRule, enabled: boolean): Promise<RegisterOutcome> {
    const outcome = await this.register(line);
    if (!enabled) await this.disable(line.name);
    return outcome;
  }
}
