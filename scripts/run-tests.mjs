#!/usr/bin/env node
// Runs every compiled test file with node's built-in runner. Unit tests first (fast feedback), then
// integration tests, which start their own berthd and need root.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
function find(dir) {
  let out = [];
  let entries = [];
  try { entries = readdirSync(dir); } catch { return out; }
  for (const e of entries.sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out = out.concat(find(p));
    else if (e.endsWith('.test.js')) out.push(p);
  }
  return out;
}
const filter = process.argv.slice(2);
let status = 0;
for (const group of ['unit', 'integration']) {
  let files = find(join(root, 'dist', 'test', group));
  if (filter.length) files = files.filter((f) => filter.some((x) => f.includes(x)));
  if (files.length === 0) continue;
  const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...files], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) status = r.status ?? 1;
}
process.exit(status);
