// The house rule of docs/architecture.md, checked on the sources: a file imports only from its own
// folder or from a layer below it, the import graph of src/ has no circle, and no file grows past
// MAX_LINES. Reads src/*.ts from the repository (two levels above dist/test/unit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Top to bottom. Folders on one line are siblings: they may not import each other. */
export const LAYERS: string[][] = [
  ['daemon', 'cli'],                    // entry points: berthd wiring, berth verbs
  ['compose'],                          // client-side tool over the Engine API
  ['client'],                           // Engine API client
  ['api'],                              // HTTP edge
  ['build'],                            // builder: runs steps through the engine's container service
  ['engine'],                           // facade, containers, exec, cp/export
  ['images', 'network', 'volumes'],     // services
  ['registry'],                         // distribution client and registry server
  ['storage', 'runtime', 'netavark'],   // content/layer store, OCI runtime, network driver
  ['fs'],                               // safe filesystem: paths inside a root, regular-file reads, overlays, tar of trees
  ['model'],                            // shared records, config and wire types
  ['util', 'errors.ts'],                // leaves
];
const MAX_LINES = 400;
/** The CLI and compose are clients, as docker and docker compose are: they reach berthd only through
 * src/client/ (the Engine API), and share only the leaf layers with it. */
const CLIENT_SIDE = ['cli', 'compose', 'client'];
const SHARED_WITH_CLIENTS = ['fs', 'model', 'util', 'errors.ts'];
function allowed(from: string, to: string): boolean {
  if (to === from) return true;
  if (!(rankOf(to) > rankOf(from))) return false;
  if (CLIENT_SIDE.includes(from)) return CLIENT_SIDE.includes(to) || SHARED_WITH_CLIENTS.includes(to);
  return !CLIENT_SIDE.includes(to);
}

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const srcRoot = join(repo, 'src');

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

function topOf(file: string): string {
  return relative(srcRoot, file).split('/')[0];
}

function rankOf(top: string): number {
  const i = LAYERS.findIndex((l) => l.includes(top));
  return i;
}

/** Relative imports of a file (static, re-exports and dynamic), resolved to .ts paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
    out.push(resolve(dirname(file), m[1]).replace(/\.js$/, '.ts'));
  }
  return out;
}

const files = walk(srcRoot).sort();
const graph = new Map(files.map((f) => [f, importsOf(f)]));

test('every top-level folder of src/ has a layer', () => {
  const unknown = [...new Set(files.map(topOf))].filter((t) => rankOf(t) < 0);
  assert.deepEqual(unknown, [], 'add new folders to LAYERS here and to docs/architecture.md');
});

test('imports point down only (own folder, or a layer below; clients only through src/client/)', () => {
  const bad: string[] = [];
  for (const [f, imps] of graph) {
    const from = topOf(f);
    for (const t of imps) {
      const to = topOf(t);
      if (!allowed(from, to)) bad.push(`${relative(repo, f)} -> ${relative(repo, t)}`);
    }
  }
  assert.deepEqual(bad, [], 'upward or sideways imports');
});

test('no circle of imports between files', () => {
  // Tarjan's strongly connected components; any component of more than one file is a circle.
  let index = 0;
  const idx = new Map<string, number>(); const low = new Map<string, number>();
  const stack: string[] = []; const on = new Set<string>(); const circles: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index); low.set(v, index); index++; stack.push(v); on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do { w = stack.pop()!; on.delete(w); comp.push(relative(repo, w)); } while (w !== v);
      if (comp.length > 1) circles.push(comp.sort());
    }
  };
  for (const f of files) if (!idx.has(f)) visit(f);
  assert.deepEqual(circles, []);
});

test(`no file in src/ over ${MAX_LINES} lines`, () => {
  const long = files
    .map((f) => ({ f: relative(repo, f), n: readFileSync(f, 'utf8').split('\n').length - 1 }))
    .filter((x) => x.n > MAX_LINES);
  for (const x of long) console.log(`# ${x.f}: ${x.n} lines`);
  assert.deepEqual(long, []);
});

test('only src/daemon/ knows DaemonConfig', () => {
  const users = files.filter((f) => topOf(f) !== 'daemon' && /\bDaemonConfig\b/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(users.map((f) => relative(repo, f)), []);
});
