/**
 * Every `fexpod CMD --flag` in README.md and docs/*.md (fenced shell blocks and
 * inline code) names a real command, `fexpod CMD --help` runs, and each flag is
 * in that command's option table. A renamed flag breaks this test, not a
 * reader's copy and paste.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadCommands } from '../../../src/commands.js';
import { optionWords } from '../../../src/cli-reference/option-value.js';
import { runCli } from '../../helpers/cli-capture.js';
import { repoRoot } from '../../helpers/integration.js';
import { fexpodInvocations } from '../../helpers/recipe.js';

const root = repoRoot();
const files = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

const NOT_SHELL = ['text', 'json', 'toml', 'yaml', 'yml', 'xml', 'ini', 'c', 'ts', 'typescript', 'js', 'python', 'spec', 'diff'];

/** The shell a page shows: fenced blocks (any language but known non-shell ones) and inline code that starts with fexpod. */
export function shellSnippets(markdown: string): string[] {
  const out: string[] = [];
  const fenced = /^```([\w-]*)\n([\s\S]*?)^```/gm;
  for (const m of markdown.matchAll(fenced)) {
    const body = m[2] ?? '';
    if (NOT_SHELL.includes(m[1] ?? '')) continue;
    // a trailing "# comment" is prose; JSON lines in an unlabelled block are data
    out.push(body.split('\n').map((l) => (/^\s*[{["]/.test(l) ? '' : l.replace(/\s+#\s.*$/, ''))).join('\n'));
  }
  const prose = markdown.replace(fenced, '');
  for (const m of prose.matchAll(/`((?:sudo )?fexpod [^`\n]+)`/g)) out.push(m[1] ?? '');
  return out;
}

const commands = await loadCommands();
const byName = new Map(commands.map((c) => [c.name, c]));

for (const file of files) {
  test(`${file}: every fexpod command and flag it shows exists`, async () => {
    const seen = new Set<string>();
    for (const snippet of shellSnippets(readFileSync(join(root, file), 'utf8'))) {
      for (const inv of fexpodInvocations(snippet)) {
        if (inv.command === undefined) {
          for (const f of inv.flags) assert.ok(['--version', '--help', '-h'].includes(f), `${file}: fexpod ${f}`);
          continue;
        }
        const cmd = byName.get(inv.command);
        assert.ok(cmd, `${file}: "fexpod ${inv.command}" is not a command (${[...byName.keys()].join(', ')})`);
        if (!seen.has(cmd.name)) {
          const help = await runCli([cmd.name, '--help']);
          assert.equal(help.code, 0, `${file}: fexpod ${cmd.name} --help`);
          seen.add(cmd.name);
        }
        const table = new Set(['--help', '-h', ...Object.entries(cmd.options).flatMap(([n, o]) => optionWords(n, o))]);
        for (const f of inv.flags) assert.ok(table.has(f), `${file}: fexpod ${cmd.name} has no ${f} (its options: ${[...table].join(' ')})`);
      }
    }
  });
}

const snippets: { md: string; want: string[] }[] = [
  { md: 'Run `sudo fexpod setup --dry-run` first.', want: ['sudo fexpod setup --dry-run'] },
  { md: '```sh\nfexpod build x.toml\n```\n', want: ['fexpod build x.toml\n'] },
  { md: '```json\n{"fexpod build": 1}\n```\n', want: [] },
  { md: 'the `fexpod-binfmt.service` unit', want: [] },
  { md: '```\nnpm link   # put fexpod on PATH\n```\n', want: ['npm link\n'] },
  { md: '```\n{"testOnly": "fexpod test-only"}\n```\n', want: ['\n'] },
];
for (const c of snippets) test(`shell snippets of ${JSON.stringify(c.md.slice(0, 30))}`, () => assert.deepEqual(shellSnippets(c.md), c.want));
