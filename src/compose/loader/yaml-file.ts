// Reading one compose file: YAML with anchors, aliases and `<<` merge keys (the `yaml` package in
// YAML 1.1 merge mode), a mapping at the top, and errors that name the file and the line.
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { invalidFile } from '../errors.js';

export type Dict = Record<string, unknown>;

export function isDict(v: unknown): v is Dict {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

export function parseComposeYaml(text: string, file: string): Dict {
  const doc = parseDocument(text, { merge: true, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const line = e.linePos?.[0];
    throw invalidFile(`yaml: ${line ? `line ${line.line}: ` : ''}${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')} in ${file}`);
  }
  // maxAliasCount bounds "billion laughs" expansion.
  const value = doc.toJS({ maxAliasCount: 10_000 }) as unknown;
  if (value === null || value === undefined) return {};
  if (!isDict(value)) throw invalidFile(`${file}: Top-level object must be a mapping`);
  return value;
}

export function readComposeFile(file: string): Dict {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw invalidFile(`open ${file}: ${code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
  }
  return parseComposeYaml(text, file);
}
