// Docker's Dockerfile word rules (moby's shell lexer): quotes, the escape character and variable
// substitution — `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}`,
// `${VAR:?message}`. Single quotes are literal; inside double quotes the escape character only escapes
// `"`, `$` and itself. Unset variables expand to nothing.
import { invalidArgument } from '../../errors.js';

export type Env = ReadonlyMap<string, string>;

/** Splits on unquoted blanks, keeping quotes and escapes in the words (they are removed by expansion). */
export function splitWords(s: string, escape: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (!quote && /\s/.test(ch)) {
      if (inWord) { words.push(cur); cur = ''; inWord = false; }
      continue;
    }
    inWord = true;
    if (ch === escape && i + 1 < s.length && quote !== "'") { cur += ch + s[++i]; continue; }
    if (quote) { if (ch === quote) quote = null; }
    else if (ch === '"' || ch === "'") quote = ch;
    cur += ch;
  }
  if (inWord) words.push(cur);
  return words;
}

class Lexer {
  private i = 0;
  /** Words produced so far; `open` tells whether the last one is still being built. */
  readonly words: string[] = [];
  private open = false;
  constructor(private readonly s: string, private readonly env: Env, private readonly escape: string, private readonly split: boolean) {}

  private raw(text: string): void {
    if (!this.open) { this.words.push(''); this.open = true; }
    this.words[this.words.length - 1] += text;
  }

  /** Expanded text outside quotes: split on blanks when splitting words. */
  private expanded(text: string): void {
    if (!this.split) { this.raw(text); return; }
    for (const ch of text) {
      if (/\s/.test(ch)) this.open = false;
      else this.raw(ch);
    }
  }

  run(stopAt?: string): string {
    const s = this.s;
    let out = '';
    const emit = (t: string, expanded = false) => { if (stopAt !== undefined) out += t; else if (expanded) this.expanded(t); else this.raw(t); };
    while (this.i < s.length) {
      const ch = s[this.i];
      if (stopAt !== undefined && ch === stopAt) { this.i++; return out; }
      if (ch === this.escape) {
        this.i++;
        if (this.i < s.length) emit(s[this.i++]);
        continue;
      }
      if (ch === "'") {
        const end = s.indexOf("'", this.i + 1);
        if (end < 0) throw invalidArgument('unexpected end of statement while looking for matching single-quote');
        const text = s.slice(this.i + 1, end);
        this.i = end + 1;
        if (stopAt === undefined && !text) this.raw('');
        emit(text);
        continue;
      }
      if (ch === '"') {
        this.i++;
        let text = '';
        let closed = false;
        while (this.i < s.length) {
          const c = s[this.i];
          if (c === '"') { this.i++; closed = true; break; }
          if (c === this.escape && this.i + 1 < s.length && ['"', '$', this.escape].includes(s[this.i + 1])) { text += s[this.i + 1]; this.i += 2; continue; }
          if (c === '$') { text += this.dollar(); continue; }
          text += c;
          this.i++;
        }
        if (!closed) throw invalidArgument('unexpected end of statement while looking for matching double-quote');
        if (stopAt === undefined && !text) this.raw('');
        emit(text);
        continue;
      }
      if (ch === '$') { emit(this.dollar(), true); continue; }
      if (stopAt === undefined && this.split && /\s/.test(ch)) { this.open = false; this.i++; continue; }
      emit(ch);
      this.i++;
    }
    if (stopAt !== undefined) throw invalidArgument(`missing '${stopAt}'`);
    return out;
  }

  private lookup(name: string): string | undefined { return this.env.get(name); }

  private dollar(): string {
    const s = this.s;
    this.i++; // '$'
    if (s[this.i] === '{') {
      this.i++;
      const m = /^[a-zA-Z_][a-zA-Z0-9_]*|^[0-9]+/.exec(s.slice(this.i));
      if (!m) throw invalidArgument(`missing ':' in substitution`);
      const name = m[0];
      this.i += name.length;
      if (s[this.i] === '}') { this.i++; return this.lookup(name) ?? ''; }
      let colon = false;
      if (s[this.i] === ':') { colon = true; this.i++; }
      const mod = s[this.i++];
      if (!['-', '+', '?'].includes(mod)) throw invalidArgument(`unsupported modifier (${mod}) in substitution`);
      const word = new Lexer(s, this.env, this.escape, false);
      word.i = this.i;
      const arg = word.run('}');
      this.i = word.i;
      const value = this.lookup(name);
      const set = colon ? value !== undefined && value !== '' : value !== undefined;
      if (mod === '-') return set ? value! : arg;
      if (mod === '+') return set ? arg : '';
      if (!set) throw invalidArgument(`${name}: ${arg || 'is not allowed to be unset'}`);
      return value!;
    }
    const m = /^[a-zA-Z_][a-zA-Z0-9_]*|^[0-9]/.exec(s.slice(this.i));
    if (!m) return '$';
    this.i += m[0].length;
    return this.lookup(m[0]) ?? '';
  }
}

/** One word: quotes removed, escapes applied, variables substituted (no splitting). */
export function expandWord(word: string, env: Env, escape: string): string {
  const lx = new Lexer(word, env, escape, false);
  lx.run();
  return lx.words.join('');
}

/** Several words (COPY sources, EXPOSE ports...): expansions outside quotes split on blanks too. */
export function expandWords(s: string, env: Env, escape: string): string[] {
  const lx = new Lexer(s, env, escape, true);
  lx.run();
  return lx.words;
}
