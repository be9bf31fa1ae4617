/**
 * The option tables are the one source of --help, the man pages and the shell
 * completion: every option of every command appears in all of them; the man
 * pages render with man -l; the scripts pass bash -n / zsh -n; and bash really
 * completes (the generated function driven through COMP_WORDS, as bash does).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMANDS, USAGE, loadCommands } from '../../../src/commands.js';
import { bashCompletion } from '../../../src/cli-reference/bash-completion.js';
import { helpSections } from '../../../src/cli-reference/help-sections.js';
import { manPages, roffEscape } from '../../../src/cli-reference/man-page.js';
import { zshCompletion } from '../../../src/cli-reference/zsh-completion.js';
import { optionWords } from '../../../src/cli-reference/option-value.js';
import { runCli } from '../../helpers/cli-capture.js';
import { integration, onPath } from '../../helpers/integration.js';

const commands = await loadCommands();
const bash = bashCompletion(commands);
const zsh = zshCompletion(commands);
const pages = manPages(commands, USAGE, { version: '0.1.0', date: '2026-11-30' });
const tools = integration(onPath('bash'), onPath('zsh'), onPath('man'));

/** What `man -l` shows for a page (plain text, no bold/underline overstrikes). */
function rendered(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-man-'));
  try {
    const file = join(dir, 'page.1');
    writeFileSync(file, text);
    const r = spawnSync('man', ['-l', file], { encoding: 'utf8', env: { ...process.env, MANWIDTH: '100', MAN_KEEP_FORMATTING: '', MANPAGER: 'cat', PAGER: 'cat', LC_ALL: 'C.UTF-8' } });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.replace(/.\x08/g, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A flag as a word of its own (not a prefix of a longer one). */
function hasFlag(text: string, flag: string): boolean {
  return new RegExp(`(^|[\\s,\\[('"{])${flag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`, 'm').test(text);
}

test('every command in the table has a module whose name matches, and options to complete', () => {
  assert.deepEqual(commands.map((c) => c.name), COMMANDS.map((c) => c.name));
  for (const c of commands) for (const [name, o] of Object.entries(c.options)) assert.ok(o.help.trim() !== '', `${c.name} --${name} has help text`);
});

for (const c of commands) {
  test(`fexpod ${c.name}: every option in its table appears in --help, the man page and both completions`, tools, async () => {
    const help = await runCli([c.name, '--help']);
    assert.equal(help.code, 0);
    const page = pages.find((p) => p.file === `fexpod-${c.name}.1`);
    assert.ok(page, `fexpod-${c.name}.1 is made`);
    const man = rendered(page.text);
    const zshCase = zsh.slice(zsh.indexOf(`    (${c.name})`));
    const bashCase = bash.slice(bash.indexOf(`        ${c.name})`));
    for (const [name, o] of Object.entries(c.options)) {
      for (const w of optionWords(name, o)) {
        assert.ok(hasFlag(help.stdout, w), `${w} in fexpod ${c.name} --help`);
        assert.ok(hasFlag(man, w), `${w} in fexpod-${c.name}(1)`);
        assert.ok(hasFlag(bashCase.slice(0, bashCase.indexOf(';;')), w), `${w} in the bash completion of ${c.name}`);
      }
      assert.ok(zshCase.slice(0, zshCase.indexOf(';;')).includes(`--${name}`), `--${name} in the zsh completion of ${c.name}`);
    }
    assert.match(man, new RegExp(`fexpod-${c.name} - `), 'NAME line');
  });
}

test('fexpod(1) names every command page; the pages are warning-free roff', tools, () => {
  const main = rendered(pages[0]?.text ?? '');
  for (const c of commands) assert.ok(main.includes(`fexpod-${c.name}(1)`), c.name);
  for (const p of pages) {
    const r = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-z'], { input: p.text, encoding: 'utf8' });
    assert.equal(r.stderr, '', `${p.file}: groff warnings`);
  }
});

const escapes: [string, string][] = [
  ['--json', '\\-\\-json'],
  ['.hidden', '\\&.hidden'],
  ["'quoted", "\\&'quoted"],
  ['a\\b', 'a\\eb'],
  ['→', '\\[u2192]'],
];
for (const [input, want] of escapes) test(`roff escape of ${JSON.stringify(input)}`, () => assert.equal(roffEscape(input), want));

test('help sections: usage, description and examples; the option blocks are left to the table', () => {
  const s = helpSections('x', 'fexpod x — a thing\n\nUsage: fexpod x A\n       fexpod x B\n\nProse here.\n\nOptions:\n  --a   b\nRegistry options (as skopeo):\n  --c   d\n\nExamples:\n  fexpod x A\n');
  assert.deepEqual(s, { usage: ['fexpod x A', 'fexpod x B'], description: ['Prose here.'], examples: ['fexpod x A'] });
});

test('bash -n and zsh -n accept the completion scripts', tools, () => {
  for (const [shell, text] of [['bash', bash], ['zsh', zsh]] as const) {
    const r = spawnSync(shell, ['-n'], { input: text, encoding: 'utf8' });
    assert.equal(r.status, 0, `${shell} -n: ${r.stderr}`);
  }
});

test('fexpod completion bash|zsh prints the scripts; another shell is a usage error', async () => {
  assert.equal((await runCli(['completion', 'bash'])).stdout, bash);
  assert.equal((await runCli(['completion', 'zsh'])).stdout, zsh);
  await assert.rejects(runCli(['completion', 'fish']), /name one shell/);
});

/** Drives the generated _fexpod for each command line (the last word is the one completed). */
function complete(lines: readonly (readonly string[])[], cwd: string): string[][] {
  const script = [
    bash,
    ...lines.map((words) => {
      const arr = words.map((w) => `'${w}'`).join(' ');
      return `COMP_WORDS=(${arr}); COMP_CWORD=${words.length - 1}; COMPREPLY=(); _fexpod; (IFS='|'; printf '%s\\n' "\${COMPREPLY[*]}")`;
    }),
  ].join('\n');
  const r = spawnSync('bash', ['--norc', '--noprofile'], { input: script, encoding: 'utf8', cwd });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.replace(/\n$/, '').split('\n').map((l) => (l === '' ? [] : l.split('|').sort()));
}

test('bash completion completes commands, subcommands, options and their values', tools, () => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-compl-'));
  try {
    mkdirSync(join(dir, 'subdir'));
    writeFileSync(join(dir, 'sfile.toml'), '');
    writeFileSync(join(dir, 'space name.toml'), '');
    const cases: { words: string[]; want: string[] }[] = [
      { words: ['fexpod', 'bu'], want: ['build'] },
      { words: ['fexpod', 'com'], want: ['completion'] },
      { words: ['fexpod', 'binfmt', ''], want: ['install', 'refresh', 'status', 'uninstall'] },
      { words: ['fexpod', 'build', '--lo'], want: ['--load', '--load-as', '--lock', '--locked'] },
      { words: ['fexpod', 'build', '--compression', 'z'], want: ['zstd', 'zstd:chunked'] },
      { words: ['fexpod', 'setup', '--guest', 'ar'], want: ['arm', 'arm64', 'armhf'] },
      { words: ['fexpod', 'build', '-o', 's'], want: ['subdir'] },
      { words: ['fexpod', 'build', 's'], want: ['sfile.toml', 'space name.toml', 'subdir'] },
      { words: ['fexpod', 'push', '--tls-verify', '=', 'f'], want: ['false'] },
      { words: ['fexpod', 'build', '--level', ''], want: [] },
      { words: ['fexpod', 'completion', ''], want: ['bash', 'zsh'] },
      { words: ['fexpod', 'nosuch', '--'], want: [] },
    ];
    // and every option of every command, from a prefix of it
    for (const c of commands) {
      for (const [name, o] of Object.entries(c.options)) {
        const prefix = `--${name.slice(0, Math.max(1, name.length - 2))}`;
        const want = [...Object.entries(c.options).flatMap(([n, p]) => optionWords(n, p)), '--help'].filter((w) => w.startsWith(prefix)).sort();
        assert.ok(want.includes(`--${name}`));
        cases.push({ words: ['fexpod', c.name, prefix], want });
        void o;
      }
    }
    const got = complete(cases.map((c) => c.words), dir);
    cases.forEach((c, i) => assert.deepEqual(got[i], c.want, c.words.join(' ')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** An interactive zsh (in a zpty) with the generated _fexpod on fpath: types LINE, presses Tab, returns the screen text. */
const ZPTY = `zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "fpath=($1 \\$fpath); autoload -U compinit; compinit -u -D; PROMPT='READY> '; print COMPINIT-DONE"
all=''
for i in {1..100}; do zpty -r -t z chunk && all+=$chunk; [[ $all == *COMPINIT-DONE*'READY>'* ]] && break; sleep 0.1; done
zpty -w -n z "$2"$'\\t'
out=''; quiet=0
# read until the screen has been quiet for a second (at most 15 s)
for i in {1..150}; do
  if zpty -r -t z chunk; then out+=$chunk; quiet=0; else (( quiet++ )); [[ -n $out && $quiet -ge 10 ]] && break; sleep 0.1; fi
done
zpty -d z
print -r -- "$out"
`;

test('zsh completion completes commands, subcommands, options and their values (interactive zsh in a zpty)', tools, () => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-zsh-'));
  try {
    writeFileSync(join(dir, '_fexpod'), zsh);
    writeFileSync(join(dir, 'drive.zsh'), ZPTY);
    const cases: { line: string; want: RegExp }[] = [
      { line: 'fexpod bui', want: /fexpod build / },
      { line: 'fexpod build --compr', want: /fexpod build --compression=/ },
      { line: 'fexpod binfmt ', want: /install +refresh +status +uninstall/ },
      { line: 'fexpod cdi ', want: /fexpod cdi generate/ },
      { line: 'fexpod push --tls-verify=', want: /false +true/ },
      { line: `fexpod build -o ${dir}/`, want: new RegExp(`-o ${dir}/`) },
    ];
    for (const c of cases) {
      const r = spawnSync('zsh', ['-f', join(dir, 'drive.zsh'), dir, c.line], { encoding: 'utf8', timeout: 30_000 });
      const screen = (r.stdout ?? '').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/[\r\x07\x08]/g, '\n');
      assert.match(screen, c.want, `${c.line}<TAB>:\n${screen}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const c of commands) {
  test(`fexpod ${c.name} parses with its table: every option in it is accepted, one not in it is refused`, async () => {
    const sub = c.subcommands?.[0];
    for (const [name, o] of Object.entries(c.options)) {
      for (const w of optionWords(name, o)) {
        // An option written --opt=VALUE (--tls-verify=false) takes its value in the same word.
        const attached = o.type === 'string' && o.value?.startsWith('=') && w.startsWith('--');
        const value = attached ? [] : o.type === 'string' ? ['x'] : [];
        const argv = [c.name, ...(sub ? [sub] : []), attached ? `${w}=false` : w, ...value, '--zz-not-an-option'];
        await assert.rejects(runCli(argv), (err: unknown) => {
          assert.ok(err instanceof Error);
          assert.match(err.message, /--zz-not-an-option/, `${argv.join(' ')}: ${err.message}`);
          return true;
        });
      }
    }
  });
}
