// `.dockerignore` with Docker's pattern rules (moby's patternmatcher): one pattern a line, `#` comments,
// paths cleaned and taken relative to the context root, `*` `?` `[...]` within one path element, `**` across
// any number of them, `!` for exceptions; the last pattern that matches a path (or one of its parents) wins.
import { posix } from 'node:path';

interface Pattern { regex: RegExp; exclusion: boolean; text: string }

export function parseDockerignore(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    let line = raw.replace(/\r$/, '');
    if (line.startsWith('#')) continue;
    line = line.trim();
    if (!line) continue;
    let neg = false;
    if (line.startsWith('!')) { neg = true; line = line.slice(1).trim(); }
    if (line) {
      line = posix.normalize(line);
      if (line.startsWith('/')) line = line.slice(1) || '/';
      if (line === '/') continue;
      line = line.replace(/\/+$/, '');
    }
    out.push((neg ? '!' : '') + line);
  }
  return out;
}

function toRegex(pattern: string): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        // `**/` also matches no directory at all.
        if (pattern[i + 1] === '/') { i++; re += '(?:.*/)?'; }
        else re += '.*';
      } else re += '[^/]*';
    } else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) { re += '\\['; continue; }
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('!') || cls.startsWith('^')) cls = '^' + cls.slice(1);
      re += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (ch === '\\' && i + 1 < pattern.length) re += '\\' + pattern[++i];
    else re += ch.replace(/[.+^${}()|\]\\]/g, '\\$&');
  }
  return new RegExp(re + '$');
}

export class IgnoreMatcher {
  private readonly patterns: Pattern[];

  constructor(lines: string[]) {
    this.patterns = lines.filter((l) => l !== '' && l !== '!').map((l) => {
      const exclusion = l.startsWith('!');
      const text = exclusion ? l.slice(1) : l;
      return { regex: toRegex(text), exclusion, text };
    });
  }

  get empty(): boolean { return this.patterns.length === 0; }
  get hasExceptions(): boolean { return this.patterns.some((p) => p.exclusion); }

  /** True when `rel` (a context-relative path, no leading slash) is excluded from the context. */
  ignores(rel: string): boolean {
    const path = posix.normalize(rel).replace(/^\/+/, '').replace(/\/+$/, '');
    if (!path || path === '.') return false;
    const parents: string[] = [];
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) parents.push(parts.slice(0, i).join('/'));
    let matched = false;
    for (const p of this.patterns) {
      if (p.exclusion !== matched) continue; // only a pattern of the other kind can change the answer
      if (p.regex.test(path) || parents.some((d) => p.regex.test(d))) matched = !p.exclusion;
    }
    return matched;
  }
}
