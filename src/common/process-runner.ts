/**
 * The process runner: run a tool (the builder's mkfs.erofs, mksquashfs,
 * fakeroot), optionally feeding bytes on stdin, and get its output or a
 * CommandFailed with its stderr. Behind an interface so the planners stay
 * testable without the tools.
 */
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { FexpodError } from './errors.js';

export interface RunOptions {
  /** Full environment for the child (default: the parent's). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Bytes for stdin, or a stream of them (if it throws, the tool is killed). A chunk is written
   * whole before the next is asked for: a stream may reuse a chunk's buffer from then on
   * (layer/byte-channel.ts).
   */
  readonly input?: Uint8Array | AsyncIterable<Uint8Array>;
}

export interface CommandRunner {
  /** Runs a program; rejects with a FexpodError carrying its stderr on a non-zero exit. */
  run(file: string, args: readonly string[], opts?: RunOptions): Promise<{ stdout: string; stderr: string }>;
}

export class CommandFailed extends FexpodError {
  constructor(
    readonly file: string,
    readonly code: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`${file} exited with ${code ?? 'a signal'}${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-5).join(' | ')}` : ''}`);
  }
}

export const processRunner: CommandRunner = {
  run(file, args, opts = {}) {
    return new Promise((resolve, reject) => {
      const child = spawn(file, [...args], {
        stdio: [opts.input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
        ...(opts.env ? { env: { ...opts.env } } : {}),
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout?.on('data', (d: Buffer) => out.push(d));
      child.stderr?.on('data', (d: Buffer) => err.push(d));
      child.on('error', (e) => reject(new FexpodError(`cannot run ${file}`, { cause: e, fix: `install ${file}` })));
      child.on('close', (code) => {
        const stdout = Buffer.concat(out).toString();
        const stderr = Buffer.concat(err).toString();
        if (code === 0) resolve({ stdout, stderr });
        else reject(new CommandFailed(file, code, stdout, stderr));
      });
      const stdin = child.stdin;
      if (opts.input && stdin) {
        stdin.on('error', () => {}); // EPIPE when the tool fails early: the exit code tells
        const input = opts.input;
        if (input instanceof Uint8Array) stdin.end(input);
        else {
          let failed: unknown;
          child.on('close', () => { if (failed !== undefined) reject(failed); });
          feed(input, stdin).catch((err: unknown) => {
            if (stdin.destroyed && child.exitCode !== null) return; // the tool exited first: its code tells
            failed = err;
            child.kill('SIGKILL');
          });
        }
      }
    });
  },
};

/** Writes each chunk whole (its callback) before asking for the next, then ends stdin. */
async function feed(input: AsyncIterable<Uint8Array>, stdin: Writable): Promise<void> {
  for await (const chunk of input) {
    await new Promise<void>((resolve, reject) => stdin.write(chunk, (err) => (err ? reject(err) : resolve())));
  }
  await new Promise<void>((resolve) => stdin.end(resolve));
}
