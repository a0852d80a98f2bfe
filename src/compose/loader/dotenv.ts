// `.env` / `--env-file` / `env_file:` parsing, as compose-go's dotenv does: `KEY=VALUE` lines, `export `
// prefixes, `#` comments, single quotes literal, double quotes with \n escapes and `${VAR}` expansion,
// unquoted values trimmed and cut at ` #`. A bare `KEY` takes its value from the lookup (or is unset).
import { readFileSync } from 'node:fs';
import { invalidFile } from '../errors.js';
import { substitute, type Lookup } from './interpolate.js';

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function parseDotenv(text: string, file: string, lookup: Lookup): Record<string, string> {
  const out: Record<string, string> = {};
  const chained: Lookup = (name) => (name in out ? out[name] : lookup(name));
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n].trim();
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('export ')) line = line.slice(7).trim();
    const eq = line.indexOf('=');
    const key = (eq < 0 ? line : line.slice(0, eq)).trim();
    if (!KEY.test(key)) throw invalidFile(`failed to read ${file}: line ${n + 1}: unexpected character in variable name "${key}"`);
    if (eq < 0) {
      const v = lookup(key);
      if (v !== undefined) out[key] = v;
      continue;
    }
    let raw = line.slice(eq + 1).trimStart();
    const q = raw[0];
    if (q === "'" || q === '"') {
      // A quoted value may run over several lines.
      let body = raw.slice(1);
      while (!closes(body, q) && n + 1 < lines.length) body += '\n' + lines[++n];
      const end = closingQuote(body, q);
      if (end < 0) throw invalidFile(`failed to read ${file}: line ${n + 1}: unterminated quoted value`);
      body = body.slice(0, end);
      out[key] = q === "'" ? body : substitute(unescape(body), chained, key);
      continue;
    }
    const hash = raw.search(/\s#/);
    if (hash >= 0) raw = raw.slice(0, hash);
    out[key] = substitute(raw.trim(), chained, key);
  }
  return out;
}

function closingQuote(s: string, q: string): number {
  for (let i = 0; i < s.length; i++) {
    if (q === '"' && s[i] === '\\') { i++; continue; }
    if (s[i] === q) return i;
  }
  return -1;
}

const closes = (s: string, q: string): boolean => closingQuote(s, q) >= 0;

function unescape(s: string): string {
  return s.replace(/\\([nrt"\\$])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' } as Record<string, string>)[c] ?? (c === '$' ? '$$' : c));
}

export function readDotenvFile(file: string, lookup: Lookup): Record<string, string> {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (err) {
    throw invalidFile(`failed to read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
  }
  return parseDotenv(text, file, lookup);
}
