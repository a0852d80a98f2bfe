// Variable substitution in compose files, as compose-go's template package does it: `$VAR`, `${VAR}`,
// `${VAR:-default}` / `${VAR-default}`, `${VAR:?error}` / `${VAR?error}`, `${VAR:+alt}` / `${VAR+alt}`,
// nested substitutions inside defaults, and `$$` for a literal `$`. Applied to every string value (not
// to keys) after YAML parsing and before schema validation.
import { invalidFile } from '../errors.js';

export type Lookup = (name: string) => string | undefined;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Finds the `}` closing a `${` that starts at `open`, skipping nested `${...}`. */
function closingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '$' && s[i + 1] === '{') { depth++; i++; continue; }
    if (s[i] === '}') { depth--; if (depth === 0) return i; }
  }
  return -1;
}

/** Substitutes one string; `where` names the value in error messages (`services.web.image`). */
export function substitute(input: string, lookup: Lookup, where: string): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c !== '$') { out += c; continue; }
    const next = input[i + 1];
    if (next === '$') { out += '$'; i++; continue; }
    if (next === '{') {
      const end = closingBrace(input, i);
      if (end < 0) throw invalidFile(`Invalid template: "${input}"`);
      out += expandBraced(input.slice(i + 2, end), lookup, where, input);
      i = end;
      continue;
    }
    const m = NAME.exec(input.slice(i + 1));
    if (!m) { out += c; continue; }
    out += lookup(m[0]) ?? '';
    i += m[0].length;
  }
  return out;
}

function expandBraced(body: string, lookup: Lookup, where: string, whole: string): string {
  const m = NAME.exec(body);
  if (!m) throw invalidFile(`Invalid template: "${whole}"`);
  const name = m[0];
  const rest = body.slice(name.length);
  const value = lookup(name);
  if (rest === '') return value ?? '';
  const op = /^(:?[-?+])/.exec(rest);
  if (!op) throw invalidFile(`Invalid template: "${whole}"`);
  const arg = () => substitute(rest.slice(op[1].length), lookup, where);
  const unsetOrEmpty = value === undefined || value === '';
  switch (op[1]) {
    case ':-': return unsetOrEmpty ? arg() : (value as string);
    case '-': return value === undefined ? arg() : value;
    case ':+': return unsetOrEmpty ? '' : arg();
    case '+': return value === undefined ? '' : arg();
    case ':?':
    case '?': {
      const missing = op[1] === ':?' ? unsetOrEmpty : value === undefined;
      if (!missing) return value as string;
      const msg = arg();
      // compose-go's wording: `required variable X is missing a value: msg`.
      throw invalidFile(`error while interpolating ${where}: required variable ${name} is missing a value${msg ? `: ${msg}` : ''}`);
    }
  }
  throw invalidFile(`Invalid template: "${whole}"`);
}

/** Interpolates every string inside a parsed YAML tree (keys untouched), returning a new tree. */
export function interpolateTree(node: unknown, lookup: Lookup, path: string[] = []): unknown {
  if (typeof node === 'string') return substitute(node, lookup, path.join('.'));
  if (Array.isArray(node)) return node.map((v, i) => interpolateTree(v, lookup, [...path, String(i)]));
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) out[k] = interpolateTree(v, lookup, [...path, k]);
    return out;
  }
  return node;
}
