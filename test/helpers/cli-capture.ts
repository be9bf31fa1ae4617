/**
 * Runs fexpod's CLI in-process with captured stdout/stderr (for --help and
 * usage checks that need no host).
 */
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli.js';
import type { CliContext } from '../../src/common/command.js';

export interface Captured {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(argv: readonly string[], env: Record<string, string> = {}): Promise<Captured> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const ctx: CliContext = { argv, env, cwd: process.cwd(), stdout, stderr, stdin: new PassThrough(), interactive: false };
  const code = await main(argv, ctx);
  return { code, stdout: out, stderr: err };
}
