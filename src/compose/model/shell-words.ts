// POSIX-shell word splitting for `command: echo "a b"` (compose-go uses shlex): whitespace separates,
// single quotes are literal, double quotes allow backslash escapes, a backslash outside quotes escapes.
import { invalidFile } from '../errors.js';

export function shellWords(s: string, where: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw invalidFile(`${where}: unterminated quote in "${s}"`);
      cur += s.slice(i + 1, end); i = end; inWord = true; continue;
    }
    if (c === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && j + 1 < s.length && '"\\$`\n'.includes(s[j + 1])) { cur += s[++j]; continue; }
        cur += s[j];
      }
      if (j >= s.length) throw invalidFile(`${where}: unterminated quote in "${s}"`);
      i = j; inWord = true; continue;
    }
    if (c === '\\' && i + 1 < s.length) { cur += s[++i]; inWord = true; continue; }
    if (/\s/.test(c)) { if (inWord) { words.push(cur); cur = ''; inWord = false; } continue; }
    cur += c; inWord = true;
  }
  if (inWord) words.push(cur);
  return words;
}
