/**
 * Progress of a push or pull on stderr (stdout is the --json document): a
 * redrawn status line on a terminal, one line per blob otherwise, JSON lines
 * with --json (like `fexpod build`). Bytes and rate; the clock is passed in.
 */
import type { Writable } from 'node:stream';

export type ProgressMode = 'tty' | 'lines' | 'json' | 'quiet';

export type BlobOutcome = 'uploaded' | 'exists' | 'mounted' | 'downloaded' | 'cached';

export interface TransferProgress {
  /** Bytes moved (negative: given back after a failed request that will be resent). */
  bytes(delta: number): void;
  /** seconds: how long it took, when known. */
  blob(digest: string, size: number, outcome: BlobOutcome, seconds?: number): void;
  note(message: string): void;
  finish(): void;
  readonly totalBytes: number;
}

export function mib(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

export function transferProgress(stream: Writable, mode: ProgressMode, verb: string, now: () => number): TransferProgress {
  const started = now();
  let moved = 0;
  let lastDraw = 0;
  const rate = () => mib(moved / Math.max(0.001, (now() - started) / 1000)) + '/s';
  const draw = (force: boolean) => {
    const t = now();
    if (!force && t - lastDraw < 200) return;
    lastDraw = t;
    stream.write(`\r\x1b[K${verb} ${mib(moved)}, ${rate()}`);
  };
  return {
    get totalBytes() {
      return moved;
    },
    bytes(delta) {
      moved += delta;
      if (mode === 'tty') draw(false);
    },
    blob(digest, size, outcome, seconds) {
      const short = digest.slice(0, 19);
      if (mode === 'json') stream.write(JSON.stringify({ event: 'blob', digest, size, outcome, ...(seconds !== undefined ? { seconds: Number(seconds.toFixed(3)) } : {}) }) + '\n');
      else if (mode === 'lines') {
        const speed = seconds !== undefined && (outcome === 'uploaded' || outcome === 'downloaded') ? ` in ${seconds.toFixed(1)} s (${mib(size / Math.max(0.001, seconds))}/s)` : '';
        stream.write(`blob ${short} ${mib(size)} ${outcome}${speed}\n`);
      } else if (mode === 'tty') draw(true);
    },
    note(message) {
      if (mode === 'json') stream.write(JSON.stringify({ event: 'note', message }) + '\n');
      else if (mode === 'tty') stream.write(`\r\x1b[K${message}\n`);
      else if (mode === 'lines') stream.write(`${message}\n`);
    },
    finish() {
      if (mode === 'tty') {
        draw(true);
        stream.write('\n');
      }
    },
  };
}
