/**
 * Which build of an external program makes an output: the file a name runs
 * (found on the PATH the program will be started with, as spawn finds it), its
 * sha256 and its version line. Outputs whose bytes depend on the tool
 * (mkfs.erofs, mksquashfs) put this into the instant-rebuild key, so an
 * upgrade of the tool makes the outputs again instead of reusing stale ones.
 */
import { findProgram } from './find-program.js';
import { sha256File } from './hash.js';
import { CommandFailed, type CommandRunner } from './process-runner.js';

export interface ProgramIdentity {
  readonly file: string;
  /** First line the version option printed (stdout only when it failed); undefined: nothing. */
  readonly version: string | undefined;
  readonly sha256: string;
}

/** The identity of `name` on env.PATH; undefined when it is not there. */
export async function programIdentity(
  runner: CommandRunner,
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  versionArgs: readonly string[],
): Promise<ProgramIdentity | undefined> {
  const file = findProgram(name, env['PATH']);
  if (!file) return undefined;
  const [version, sha256] = await Promise.all([
    runner.run(file, versionArgs, { env }).then(
      (r) => firstLine(r.stdout + r.stderr),
      // mkfs.erofs 1.5 has no -V, yet prints "mkfs.erofs 1.5" on stdout before its usage error
      (err: unknown) => (err instanceof CommandFailed ? firstLine(err.stdout) : undefined),
    ),
    sha256File(file),
  ]);
  return { file, version, sha256 };
}

function firstLine(text: string): string | undefined {
  return text.split('\n').find((l) => l.trim() !== '')?.trim();
}

/** One line for a key or a log: `mkfs.erofs (erofs-utils) 1.8.6 sha256:…`. */
export function describeProgram(name: string, id: ProgramIdentity | undefined): string {
  if (!id) return `${name}: not on PATH`;
  return `${id.version ?? `${name} (no version option)`} sha256:${id.sha256}`;
}
