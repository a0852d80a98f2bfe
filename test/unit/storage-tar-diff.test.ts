// packDiff turns a real overlay upper dir into a Docker layer tar that, applied and stacked again, shows
// the same merged tree (deletions as whiteouts, replaced dirs as opaque, hardlinks kept).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync, existsSync, readdirSync, linkSync, symlinkSync, unlinkSync, lstatSync, readlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { packDiff } from '../../src/storage/tar-diff.js';
import { applyTar } from '../../src/storage/tar-apply.js';

const base = mkdtempSync(join(tmpdir(), 'berth-diff-'));
const mounted: string[] = [];
after(() => {
  for (const m of mounted.reverse()) spawnSync('umount', [m]);
  rmSync(base, { recursive: true, force: true });
});
const dir = (name: string) => { const d = join(base, name); mkdirSync(d, { recursive: true }); return d; };

function mountOverlay(lowers: string[], name: string, upper?: string): string | undefined {
  const merged = dir(`${name}-merged`);
  const opts = upper ? `lowerdir=${lowers.join(':')},upperdir=${upper},workdir=${dir(`${name}-work`)}` : `lowerdir=${lowers.join(':')}`;
  const r = spawnSync('mount', ['-t', 'overlay', 'overlay', '-o', opts, merged]);
  if (r.status !== 0) return undefined;
  mounted.push(merged);
  return merged;
}

async function entryNames(data: Readable): Promise<string[]> {
  const extract = tar.extract();
  data.pipe(extract);
  const names: string[] = [];
  for await (const e of extract) { names.push(`${e.header.type}:${e.header.name}`); e.resume(); }
  return names;
}

test('an overlay upper dir round-trips through packDiff and applyTar', async (t) => {
  const lower = dir('lower');
  writeFileSync(join(lower, 'gone'), 'x');
  writeFileSync(join(lower, 'kept'), 'k');
  mkdirSync(join(lower, 'd'));
  writeFileSync(join(lower, 'd/old'), 'old');
  const upper = dir('upper');
  const merged = mountOverlay([lower], 'one', upper);
  if (!merged) { t.skip('overlay mounts unavailable'); return; }
  unlinkSync(join(merged, 'gone'));
  rmSync(join(merged, 'd'), { recursive: true });
  mkdirSync(join(merged, 'd'));
  writeFileSync(join(merged, 'd/new'), 'new');
  writeFileSync(join(merged, 'f1'), 'hard');
  linkSync(join(merged, 'f1'), join(merged, 'f2'));
  symlinkSync('/nowhere', join(merged, 'sl'));
  spawnSync('umount', [merged]);
  mounted.pop();

  const names = await entryNames(packDiff(upper));
  assert.ok(names.includes('file:.wh.gone'), names.join(' '));
  assert.ok(names.includes('file:d/.wh..wh..opq'), names.join(' '));
  assert.ok(names.includes('link:f2'), names.join(' '));
  assert.ok(names.includes('symlink:sl'));

  const layer = dir('layer');
  await applyTar(packDiff(upper), layer);
  assert.equal(lstatSync(join(layer, 'gone')).rdev, 0);
  assert.equal(lstatSync(join(layer, 'f1')).ino, lstatSync(join(layer, 'f2')).ino);
  assert.equal(readlinkSync(join(layer, 'sl')), '/nowhere');

  const view = mountOverlay([layer, lower], 'two');
  assert.ok(view);
  assert.ok(!existsSync(join(view, 'gone')));
  assert.equal(readFileSync(join(view, 'kept'), 'utf8'), 'k');
  assert.deepEqual(readdirSync(join(view, 'd')), ['new']);
});

test('exclude leaves paths out', async () => {
  const upper = dir('ex');
  writeFileSync(join(upper, 'a'), '1');
  mkdirSync(join(upper, 'etc'));
  writeFileSync(join(upper, 'etc/hosts'), '');
  const names = await entryNames(packDiff(upper, { exclude: (p) => p === 'etc/hosts' }));
  assert.deepEqual(names, ['file:a', 'directory:etc/']);
});
