/**
 * docs/troubleshooting.md is keyed by the exact messages fexpod prints: every
 * message quoted as a heading there, and every quoted `fix: …`, must be one the
 * code can print. A quoted message matches a line of src/ when its text is
 * there literally and each <placeholder> stands where the source interpolates
 * (`${…}`) or writes a literal <…> itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../helpers/integration.js';

const root = repoRoot();
const page = readFileSync(join(root, 'docs', 'troubleshooting.md'), 'utf8');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [readFileSync(join(dir, e.name), 'utf8')] : [],
  );
}

/** The source as its string literals read: escaped quotes unescaped. */
const source = sources(join(root, 'src')).join('\n').replace(/\\(['"`])/g, '$1');

/** A placeholder covers an interpolation (`${…}`, and what sits around it) or a literal <…>. */
const PLACEHOLDER = '(?:[^\\n]*?\\$\\{[^\\n]*?|<[^>\\n]*>)';

export function messagePattern(quoted: string): RegExp {
  const literal = quoted.split(/<[^>]+>/).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(literal.join(PLACEHOLDER));
}

/** Headings that are one quoted message, and the quoted `fix: …` lines. */
export function quotedMessages(markdown: string): { kind: 'message' | 'fix'; text: string }[] {
  const out: { kind: 'message' | 'fix'; text: string }[] = [];
  for (const m of markdown.matchAll(/^#{2,4} `([^`]+)`$/gm)) out.push({ kind: 'message', text: (m[1] ?? '').replace(/^fexpod: error: /, '') });
  for (const m of markdown.matchAll(/`fix: ([^`]+)`/g)) out.push({ kind: 'fix', text: m[1] ?? '' });
  return out;
}

const quoted = quotedMessages(page);

test('the troubleshooting page quotes messages and fixes (not a page of prose)', () => {
  assert.ok(quoted.filter((q) => q.kind === 'message').length >= 20, `${quoted.length} quoted`);
  assert.ok(quoted.filter((q) => q.kind === 'fix').length >= 10);
});

for (const q of quoted) {
  test(`troubleshooting: the ${q.kind} "${q.text.slice(0, 70)}" is one fexpod can print`, () => {
    const literal = q.text.replace(/<[^>]+>/g, '');
    assert.ok(literal.replace(/\s/g, '').length >= 10, 'enough literal text to identify the message');
    assert.match(source, messagePattern(q.text), 'no source line prints this text (the code changed: update docs/troubleshooting.md)');
  });
}

const patterns: { quoted: string; line: string; ok: boolean }[] = [
  { quoted: '<dir> is not empty', line: 'new FexpodError(`${dest} is not empty`)', ok: true },
  { quoted: '<dir> is not empty', line: "new FexpodError('the directory is not empty')", ok: false },
  { quoted: 'install one: sudo fexpod rootfs install <image>', line: "fix: 'install one: sudo fexpod rootfs install <image>'", ok: true },
  { quoted: 'cannot reach registry <r>: <e>', line: 'x(`cannot reach registry ${this.registry}: ${msg}`)', ok: true },
  { quoted: 'cannot reach registry <r>: <e>', line: 'x(`cannot reach the registry ${this.registry}: ${msg}`)', ok: false },
];
for (const p of patterns) {
  test(`message pattern: ${JSON.stringify(p.quoted)} ${p.ok ? 'matches' : 'does not match'} ${p.line}`, () => assert.equal(messagePattern(p.quoted).test(p.line), p.ok));
}
