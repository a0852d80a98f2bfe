// Lines → nodes: the Dockerfile's syntax only, no meaning. Parser directives (`# escape=`, `# syntax=`),
// comments, line continuations (the escape character at the end of a line), flags (`--name=value` before
// the arguments) and heredocs (`<<EOF` on RUN/COPY/ADD) are recognised here; what an instruction means is
// instructions.ts's business. Every node keeps its line numbers for Docker's "line N" errors.
import { invalidArgument } from '../../errors.js';

export interface Heredoc {
  name: string;
  content: string;
  /** False when the delimiter was quoted (`<<"EOF"`): no variable expansion in the content. */
  expand: boolean;
}

export interface Node {
  /** Lower-case instruction keyword (`run`, `copy`, ...). */
  keyword: string;
  /** The keyword as written, for messages. */
  rawKeyword: string;
  /** `--name=value` flags in order (value undefined for a bare `--name`). */
  flags: string[];
  /** Everything after the flags, continuations joined. */
  args: string;
  heredocs: Heredoc[];
  /** The instruction as written on its (joined) line, for "Step N/M : ..." lines. */
  original: string;
  startLine: number;
  endLine: number;
}

export interface Directives { escape: string; syntax?: string; check?: string }

export interface ParsedDockerfile { directives: Directives; nodes: Node[]; warnings: string[] }

export function parseError(line: number, message: string): Error {
  return invalidArgument(`dockerfile parse error line ${line}: ${message}`);
}

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const HEREDOC_KEYWORDS = new Set(['run', 'copy', 'add']);
const HEREDOC = /<<(-?)\s*(["']?)([a-zA-Z_][a-zA-Z0-9_]*)\2/g;

function readDirectives(lines: string[]): { directives: Directives; next: number } {
  const directives: Directives = { escape: '\\' };
  const seen = new Set<string>();
  let i = 0;
  for (; i < lines.length; i++) {
    const m = DIRECTIVE.exec(lines[i]);
    if (!m) break;
    const key = m[1].toLowerCase();
    if (seen.has(key)) throw parseError(i + 1, `only one ${key} parser directive can be used`);
    seen.add(key);
    if (key === 'escape') {
      if (m[2] !== '\\' && m[2] !== '`') throw parseError(i + 1, `invalid escape token '${m[2]}' does not match ` + '` or \\');
      directives.escape = m[2];
    } else if (key === 'syntax') directives.syntax = m[2];
    else if (key === 'check') directives.check = m[2];
    // Unknown directives are comments, as in Docker.
  }
  return { directives, next: i };
}

/** True when `line` ends with the escape character (trailing blanks allowed): the instruction goes on. */
function continues(line: string, escape: string): string | undefined {
  const trimmed = line.replace(/[ \t\r]+$/, '');
  if (!trimmed.endsWith(escape)) return undefined;
  // An escaped escape character (`\\` at the end) does not continue the line.
  let n = 0;
  for (let k = trimmed.length - 1; k >= 0 && trimmed[k] === escape; k--) n++;
  if (escape === '\\' && n % 2 === 0) return undefined;
  return trimmed.slice(0, -1);
}

/** Splits leading `--flag[=value]` words off the arguments. */
function splitFlags(rest: string): { flags: string[]; args: string } {
  const flags: string[] = [];
  let s = rest;
  for (;;) {
    const m = /^--([a-zA-Z][a-zA-Z0-9-]*)(=(?:"[^"]*"|'[^']*'|\S*))?(\s+|$)/.exec(s);
    if (!m) break;
    flags.push(m[0].trim());
    s = s.slice(m[0].length);
  }
  return { flags, args: s.trim() };
}

export function parseDockerfile(text: string): ParsedDockerfile {
  const lines = text.replace(/^\uFEFF/, '').split('\n').map((l) => l.replace(/\r$/, ''));
  const { directives, next } = readDirectives(lines);
  const escape = directives.escape;
  const nodes: Node[] = [];
  const warnings: string[] = [];
  let i = next;
  while (i < lines.length) {
    const first = lines[i];
    const start = i + 1;
    i++;
    const trimmedFirst = first.trimStart();
    if (trimmedFirst === '' || trimmedFirst.startsWith('#')) continue;
    // Join continuation lines; comment lines and blank lines inside are dropped, as Docker does.
    let joined = '';
    let cur: string | undefined = trimmedFirst;
    let end = start;
    for (;;) {
      const cont = continues(cur, escape);
      if (cont === undefined) { joined += cur; break; }
      joined += cont;
      let nextLine: string | undefined;
      while (i < lines.length) {
        const l = lines[i];
        i++;
        end = i;
        const t = l.trimStart();
        if (t.startsWith('#')) continue;
        if (t === '') { warnings.push(`Empty continuation line found in: ${joined}`); continue; }
        nextLine = l;
        break;
      }
      if (nextLine === undefined) break;
      cur = nextLine;
    }
    const m = /^(\S+)\s*([\s\S]*)$/.exec(joined.trim());
    if (!m) continue;
    const rawKeyword = m[1];
    const keyword = rawKeyword.toLowerCase();
    const { flags, args } = splitFlags(m[2]);
    const heredocs: Heredoc[] = [];
    if (HEREDOC_KEYWORDS.has(keyword) && !args.startsWith('[')) {
      for (const h of args.matchAll(HEREDOC)) {
        const strip = h[1] === '-';
        const name = h[3];
        const body: string[] = [];
        let closed = false;
        while (i < lines.length) {
          const l = lines[i];
          i++;
          end = i;
          const candidate = strip ? l.replace(/^\t+/, '') : l;
          if (candidate === name) { closed = true; break; }
          body.push(candidate);
        }
        if (!closed) throw parseError(start, `unterminated heredoc ${name}`);
        heredocs.push({ name, content: body.length ? body.join('\n') + '\n' : '', expand: h[2] === '' });
      }
    }
    nodes.push({ keyword, rawKeyword, flags, args, heredocs, original: joined.trim(), startLine: start, endLine: end });
  }
  return { directives, nodes, warnings };
}
