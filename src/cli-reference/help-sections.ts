/**
 * A command's --help text split into the parts a man page puts under its own
 * headings: the usage lines (SYNOPSIS), the examples (EXAMPLES) and the rest
 * (DESCRIPTION). The Options blocks are left out: the man page renders the
 * option table itself.
 */
export interface HelpSections {
  readonly usage: readonly string[];
  readonly description: readonly string[];
  readonly examples: readonly string[];
}

/** A heading at the start of a line that opens a block of options ("Options:", "Registry options (…):"). */
const OPTIONS_HEADING = /^(?:[A-Z][^:]*\s)?options\b[^:]*:$/i;

function trimBlank(lines: string[]): string[] {
  let a = 0;
  let b = lines.length;
  while (a < b && (lines[a] ?? '').trim() === '') a++;
  while (b > a && (lines[b - 1] ?? '').trim() === '') b--;
  return lines.slice(a, b);
}

/** Strips the indentation every line of a block shares. */
function dedent(lines: string[]): string[] {
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)?.[0].length ?? 0);
  const cut = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut));
}

export function helpSections(name: string, help: string): HelpSections {
  const lines = help.replace(/\n+$/, '').split('\n');
  // The title: one line repeats the summary (NAME); a longer first paragraph is kept, as prose.
  const title = `fexpod ${name} — `;
  if (lines[0]?.startsWith(title)) {
    if ((lines[1] ?? '').trim() === '') lines.shift();
    else lines[0] = lines[0].slice(title.length).replace(/^./, (c) => c.toUpperCase());
  }
  const usage: string[] = [];
  const description: string[] = [];
  const examples: string[] = [];
  let i = 0;
  const block = (): string[] => {
    const out: string[] = [];
    while (i < lines.length && (lines[i] ?? '').trim() !== '') out.push(lines[i++] ?? '');
    return out;
  };
  while (i < lines.length) {
    const line = lines[i] ?? '';
    const usageHead = /^Usage:\s*(.*)$/.exec(line);
    if (usageHead) {
      i++;
      const rest = block();
      usage.push(...dedent([...(usageHead[1] ? [`       ${usageHead[1]}`] : []), ...rest]).filter((l) => l.trim() !== ''));
    } else if (OPTIONS_HEADING.test(line)) {
      i++;
      block();
    } else if (/^Examples:$/.test(line)) {
      i++;
      examples.push(...dedent(block()));
    } else {
      description.push(line);
      i++;
    }
  }
  return { usage, description: trimBlank(description.map((l) => l.replace(/\s+$/, ''))), examples };
}
