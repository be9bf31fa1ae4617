/**
 * Download progress on stderr: a redrawn status line on a terminal, a line per package otherwise,
 * or JSON lines (one event per line) with --json. stdout is never touched.
 */
import type { Writable } from 'node:stream';
import type { BlobEvent } from './fetch-blob.js';

export type ProgressMode = 'tty' | 'lines' | 'json' | 'quiet';

export interface Progress {
  event(e: BlobEvent): void;
  finish(): void;
}

function mib(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

export function progressReporter(stream: Writable, mode: ProgressMode, totals: { files: number; bytes: number }, now: () => number): Progress {
  let doneFiles = 0;
  let bytes = 0;
  const started = now();
  let lastDraw = 0;
  const draw = (force = false) => {
    const t = now();
    if (!force && t - lastDraw < 100) return;
    lastDraw = t;
    const rate = bytes / Math.max(0.001, (t - started) / 1000);
    stream.write(`\r\x1b[Kfetching ${doneFiles}/${totals.files} packages, ${mib(bytes)} of ${mib(totals.bytes)}, ${mib(rate)}/s`);
  };
  return {
    event(e) {
      if (e.type === 'bytes') bytes += e.n;
      if (e.type === 'done' || e.type === 'cached') doneFiles++;
      if (e.type === 'cached') bytes += e.size;
      switch (mode) {
        case 'quiet':
          return;
        case 'json':
          if (e.type !== 'bytes') stream.write(JSON.stringify({ event: e.type, ...e, type: undefined }) + '\n');
          return;
        case 'lines':
          if (e.type === 'done') stream.write(`fetched ${e.what}\n`);
          if (e.type === 'retry') stream.write(`retrying ${e.what}: ${e.url}: ${e.reason}\n`);
          return;
        case 'tty':
          if (e.type === 'retry') stream.write(`\r\x1b[Kretrying ${e.what}: ${e.url}: ${e.reason}\n`);
          draw(e.type === 'done');
      }
    },
    finish() {
      if (mode === 'tty') {
        draw(true);
        stream.write('\n');
      }
    },
  };
}
