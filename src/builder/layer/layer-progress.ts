/**
 * Progress of the layer pass on stderr: the longest step of a large build
 * (the whole tree read, hashed, compressed and fed to mkfs.erofs/mksquashfs;
 * tens of seconds for a 1-2 GB RootFS). A redrawn status line on a terminal;
 * otherwise, for a layer large enough to take a while, a line at each quarter
 * (or a JSON event at each tenth with --json). Counted in content bytes: what
 * the tree's files hold. stdout is never touched.
 */
import type { Writable } from 'node:stream';
import type { ProgressMode } from '../fetch/progress.js';

export interface ByteProgress {
  /** `done` of the total content bytes have gone through the pass. */
  update(done: number): void;
  /**
   * The pass is through while tools that read its tar still work (mkfs.erofs --tar reads all
   * of it first, then compresses): said, so the line does not sit at 95 % meanwhile.
   */
  waiting(tools: readonly string[]): void;
  /** The pass ended (or failed): a status line is cleared for the next step's line. */
  finish(): void;
}

/** Below this, a layer is done in a few seconds: no lines in a log for it. */
export const LOG_LINES_FROM = 256 * 1024 * 1024;

const mib = (n: number) => `${(n / (1024 * 1024)).toFixed(0)} MiB`;

export function layerProgress(stream: Writable, mode: ProgressMode, total: number, now: () => number): ByteProgress {
  const started = now();
  let lastDraw = 0;
  let drawn = false;
  let nextMark = 1;
  const marks = mode === 'json' ? 10 : 4;
  const pct = (done: number) => (total > 0 ? Math.floor((done * 100) / total) : 100);
  return {
    update(done) {
      if (mode === 'tty') {
        const t = now();
        if (t - lastDraw < 200) return;
        lastDraw = t;
        drawn = true;
        const rate = done / Math.max(0.001, (t - started) / 1000);
        stream.write(`\r\x1b[Klayer: ${mib(done)} of ${mib(total)} (${pct(done)} %), ${mib(rate)}/s`);
        return;
      }
      if ((mode !== 'lines' && mode !== 'json') || total < LOG_LINES_FROM) return;
      while (nextMark < marks && done * marks >= total * nextMark) {
        const seconds = Number(((now() - started) / 1000).toFixed(1));
        if (mode === 'json') stream.write(JSON.stringify({ event: 'layer', bytes: done, total, seconds }) + '\n');
        else stream.write(`layer: ${pct(done)} % of ${mib(total)} (${seconds} s)\n`);
        nextMark++;
      }
    },
    waiting(tools) {
      if (tools.length === 0) return;
      const seconds = Number(((now() - started) / 1000).toFixed(1));
      const text = `layer: ${mib(total)} through in ${seconds} s; ${tools.join(' and ')} still compressing`;
      if (mode === 'tty') {
        drawn = true;
        stream.write(`\r\x1b[K${text}`);
      } else if (mode === 'lines' && total >= LOG_LINES_FROM) stream.write(`${text}\n`);
      else if (mode === 'json' && total >= LOG_LINES_FROM) stream.write(JSON.stringify({ event: 'layer', bytes: total, total, seconds, waiting: tools }) + '\n');
    },
    finish() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
