import assert from 'node:assert/strict';
import type { Writable } from 'node:stream';
import { test } from 'node:test';
import { layerProgress, LOG_LINES_FROM } from '../../../src/builder/layer/layer-progress.js';
import type { ProgressMode } from '../../../src/builder/fetch/progress.js';

const MiB = 1024 * 1024;

/** Runs a pass of `total` bytes in 1 MiB pieces, 10 ms apart; returns what was written to stderr. */
function pass(mode: ProgressMode, total: number): string {
  let out = '';
  const stream = { write: (c: string) => { out += c; return true; } } as unknown as Writable;
  let t = 0;
  const p = layerProgress(stream, mode, total, () => t);
  for (let done = 0; done < total; ) {
    done = Math.min(total, done + MiB);
    t += 10;
    p.update(done);
  }
  p.waiting(['mkfs.erofs']);
  p.finish();
  return out;
}

const cases: { name: string; mode: ProgressMode; total: number; check: (out: string) => void }[] = [
  {
    name: 'terminal: a status line redrawn (at most every 200 ms), cleared at the end for the next step line',
    mode: 'tty',
    total: 64 * MiB,
    check: (out) => {
      const draws = out.split('\r\x1b[Klayer: ').length - 1;
      assert.ok(draws >= 2 && draws <= 5, `${draws} redraws of a 640 ms pass, then the wait`);
      assert.match(out, /\r\x1b\[Klayer: 64 MiB through in 0\.6 s; mkfs\.erofs still compressing\r\x1b\[K$/);
      assert.match(out, /layer: \d+ MiB of 64 MiB \(\d+ %\), \d+ MiB\/s/);
      assert.ok(out.endsWith('\r\x1b[K'), 'cleared');
      assert.ok(!out.includes('\n'));
    },
  },
  {
    name: 'log lines: one at each quarter of a large layer, with the time',
    mode: 'lines',
    total: LOG_LINES_FROM * 2,
    check: (out) => assert.deepEqual(out.trim().split('\n').map((l) => l.replace(/\(.*\)/, '(t)').replace(/in [\d.]+ s/, 'in t s')), ['layer: 25 % of 512 MiB (t)', 'layer: 50 % of 512 MiB (t)', 'layer: 75 % of 512 MiB (t)', 'layer: 512 MiB through in t s; mkfs.erofs still compressing']),
  },
  { name: 'log lines: none for a layer done in a few seconds', mode: 'lines', total: LOG_LINES_FROM - MiB, check: (out) => assert.equal(out, '') },
  {
    name: '--json: an event at each tenth',
    mode: 'json',
    total: LOG_LINES_FROM,
    check: (out) => {
      const events = out.trim().split('\n').map((l) => JSON.parse(l) as { event: string; bytes: number; total: number; seconds: number; waiting?: string[] });
      assert.deepEqual(events.pop()?.waiting, ['mkfs.erofs']);
      assert.equal(events.length, 9);
      assert.ok(events.every((e, i) => e.event === 'layer' && e.total === LOG_LINES_FROM && e.bytes * 10 >= LOG_LINES_FROM * (i + 1) && typeof e.seconds === 'number'));
    },
  },
  { name: 'quiet: nothing', mode: 'quiet', total: LOG_LINES_FROM * 2, check: (out) => assert.equal(out, '') },
];

for (const c of cases) test(`layer progress: ${c.name}`, () => c.check(pass(c.mode, c.total)));
