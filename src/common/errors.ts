/**
 * Typed errors. Every layer adds context ("fetching repo fedora: metalink …: …");
 * only the CLI entry point turns them into messages and exit codes.
 */

export interface FexpodErrorOptions {
  cause?: unknown;
  /** What the user can do about it, shown after the message. */
  fix?: string;
  /** Process exit code the CLI should use (default 1). */
  exitCode?: number;
}

export class FexpodError extends Error {
  readonly fix: string | undefined;
  readonly exitCode: number;

  constructor(message: string, options: FexpodErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.fix = options.fix;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Bad user input: a config file, a definition or a flag. Names file, key path and fix. */
export class ConfigError extends FexpodError {
  constructor(
    readonly file: string,
    readonly keyPath: string,
    problem: string,
    fix: string,
    cause?: unknown,
  ) {
    super(`${file}: ${keyPath ? `${keyPath}: ` : ''}${problem}`, { fix, cause, exitCode: 2 });
  }
}

/** Wrong command-line usage. */
export class UsageError extends FexpodError {
  constructor(message: string, fix?: string) {
    super(message, { fix: fix ?? 'run with --help to see the usage', exitCode: 2 });
  }
}

/** Wraps an error with one more layer of context, keeping the fix and exit code. */
export function withContext(context: string, err: unknown): FexpodError {
  if (err instanceof FexpodError) {
    const wrapped = new FexpodError(`${context}: ${err.message}`, {
      cause: err,
      exitCode: err.exitCode,
      ...(err.fix === undefined ? {} : { fix: err.fix }),
    });
    return wrapped;
  }
  return new FexpodError(`${context}: ${errorMessage(err)}`, { cause: err });
}

/** Runs fn, adding context to anything it throws. */
export async function inContext<T>(context: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw withContext(context, err);
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** errno code of a Node system error, if any. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
