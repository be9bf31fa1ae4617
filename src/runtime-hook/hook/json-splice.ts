/**
 * Byte-faithful edits of a JSON document. The hook must hand Podman back the
 * very config it got, plus our additions: a JSON.parse/JSON.stringify round
 * trip would turn RLIM_INFINITY (18446744073709551615) into a float that Go
 * refuses to decode. So the hook parses to *understand* the spec, and edits the
 * original text: it finds a member's value span with a small structural
 * scanner and inserts new text, leaving every other byte where it was.
 *
 * Pure: strings in, strings out.
 */

export interface Span {
  /** Index of the value's first character. */
  readonly start: number;
  /** Index just past the value's last character. */
  readonly end: number;
}

export class JsonSpliceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonSpliceError';
  }
}

function skipWs(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/** End index (exclusive) of the string starting at text[i] === '"'. */
function skipString(text: string, i: number): number {
  i++;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i += 2;
    else if (c === 0x22) return i + 1;
    else i++;
  }
  throw new JsonSpliceError('unterminated string');
}

/** End index (exclusive) of the value starting at text[i]. */
function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    while (i < text.length) {
      const d = text[i];
      if (d === '"') {
        i = skipString(text, i);
        continue;
      }
      if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    throw new JsonSpliceError('unterminated object or array');
  }
  let j = i;
  while (j < text.length && !',}] \n\r\t'.includes(text[j] ?? '')) j++;
  if (j === i) throw new JsonSpliceError(`unexpected character at ${i}`);
  return j;
}

/** Span of the member `key` of the object whose value starts at `objStart`. */
function memberSpan(text: string, objStart: number, key: string): Span | undefined {
  if (text[objStart] !== '{') return undefined;
  let i = skipWs(text, objStart + 1);
  if (text[i] === '}') return undefined;
  for (;;) {
    if (text[i] !== '"') throw new JsonSpliceError(`expected a key at ${i}`);
    const keyEnd = skipString(text, i);
    const name: unknown = JSON.parse(text.slice(i, keyEnd));
    i = skipWs(text, keyEnd);
    if (text[i] !== ':') throw new JsonSpliceError(`expected ":" at ${i}`);
    const vStart = skipWs(text, i + 1);
    const vEnd = skipValue(text, vStart);
    if (name === key) return { start: vStart, end: vEnd };
    i = skipWs(text, vEnd);
    if (text[i] === ',') i = skipWs(text, i + 1);
    else if (text[i] === '}') return undefined;
    else throw new JsonSpliceError(`expected "," or "}" at ${i}`);
  }
}

/** Span of the value at an object path (["process", "env"]); undefined if absent. */
export function locate(text: string, path: readonly string[]): Span | undefined {
  const start = skipWs(text, 0);
  let span: Span = { start, end: skipValue(text, start) };
  for (const key of path) {
    const next = memberSpan(text, span.start, key);
    if (!next) return undefined;
    span = next;
  }
  return span;
}

/**
 * Appends already-serialised JSON values to the array at `path`. If the array
 * is missing, creates it as a member of its parent object (which must exist).
 */
export function appendToArray(text: string, path: readonly string[], items: readonly string[]): string {
  if (items.length === 0) return text;
  const span = locate(text, path);
  if (span) {
    if (text[span.start] !== '[') throw new JsonSpliceError(`${path.join('.')} is not an array`);
    const close = span.end - 1;
    const empty = skipWs(text, span.start + 1) === close;
    return text.slice(0, close) + (empty ? '' : ',') + items.join(',') + text.slice(close);
  }
  const parentPath = path.slice(0, -1);
  const key = path[path.length - 1];
  if (key === undefined) throw new JsonSpliceError('empty path');
  const parent = locate(text, parentPath);
  if (!parent || text[parent.start] !== '{') {
    throw new JsonSpliceError(`${parentPath.join('.') || 'document'} is not an object`);
  }
  const open = parent.start + 1;
  const empty = text[skipWs(text, open)] === '}';
  const member = `${JSON.stringify(key)}:[${items.join(',')}]`;
  return text.slice(0, open) + member + (empty ? '' : ',') + text.slice(open);
}

/** Replaces the value at `path` (which must exist) with already-serialised JSON. */
export function replaceValue(text: string, path: readonly string[], json: string): string {
  const span = locate(text, path);
  if (!span) throw new JsonSpliceError(`${path.join('.')} is missing`);
  return text.slice(0, span.start) + json + text.slice(span.end);
}

/**
 * Sets member `key` of the object at `path` to already-serialised JSON:
 * replaces its value when present, else inserts it first. A missing object is
 * created as a member of its parent (which must exist).
 */
export function setMember(text: string, path: readonly string[], key: string, json: string): string {
  const obj = locate(text, path);
  if (!obj) {
    const parentPath = path.slice(0, -1);
    const name = path[path.length - 1];
    if (name === undefined) throw new JsonSpliceError('empty path');
    return setMember(text, parentPath, name, `{${JSON.stringify(key)}:${json}}`);
  }
  if (text[obj.start] !== '{') throw new JsonSpliceError(`${path.join('.') || 'document'} is not an object`);
  const existing = memberSpan(text, obj.start, key);
  if (existing) return text.slice(0, existing.start) + json + text.slice(existing.end);
  const open = obj.start + 1;
  const empty = text[skipWs(text, open)] === '}';
  return text.slice(0, open) + `${JSON.stringify(key)}:${json}` + (empty ? '' : ',') + text.slice(open);
}
