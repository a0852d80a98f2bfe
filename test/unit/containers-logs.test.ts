// The logs hot path: k8s-file rows decoded on Buffers into Docker's frames (packed per stream), TTY raw
// bytes, partial lines, timestamps, since/until, and tail found from the end of the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogDecoder, parseRowTime, type DecodeOptions } from '../../src/engine/containers/log-decoder.js';
import { LogReader, tailOffset, type ByteSink } from '../../src/engine/containers/log-reader.js';
import { FrameDecoder } from '../../src/model/stream-frame.js';
import { rfc3339ToNano } from '../../src/engine/containers/log-file.js';

const T0 = '2026-11-22T06:43:54.123456789+00:00';
const T1 = '2026-11-22T06:43:55.000000001+00:00';
const T2 = '2026-11-22T06:43:56.5+00:00';

const rows = (...r: string[]) => Buffer.from(r.map((x) => x + '\n').join(''));
const opts = (o: Partial<DecodeOptions> = {}): DecodeOptions => ({ stdout: true, stderr: true, tty: false, timestamps: false, ...o });

function decodeAll(input: Buffer, o: DecodeOptions, chunkSize = input.length): Buffer {
  const d = new LogDecoder(o);
  const out: Buffer[] = [];
  for (let i = 0; i < input.length; i += chunkSize) {
    const b = d.push(input.subarray(i, i + chunkSize));
    if (b) out.push(b);
  }
  return Buffer.concat(out);
}

function frames(b: Buffer): Array<[number, string]> {
  return new FrameDecoder().push(b).map((f) => [f.stream, f.payload.toString()]);
}

/** Consecutive frames of one stream joined: what the client sees, independent of frame sizes. */
function streamText(b: Buffer): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  for (const [s, p] of frames(b)) {
    const last = out[out.length - 1];
    if (last && last[0] === s) last[1] += p; else out.push([s, p]);
  }
  return out;
}

test('consecutive rows of one stream share a frame; the stdout/stderr order is kept', () => {
  const input = rows(`${T0} stdout F a`, `${T0} stdout F b`, `${T0} stderr F e1`, `${T1} stdout F c`, `${T1} stderr F e2`, `${T1} stderr F e3`);
  assert.deepEqual(frames(decodeAll(input, opts())), [[1, 'a\nb\n'], [2, 'e1\n'], [1, 'c\n'], [2, 'e2\ne3\n']]);
});

test('P rows join into one line, also when the other stream interleaves', () => {
  const input = rows(`${T0} stdout P hel`, `${T0} stderr F oops`, `${T1} stdout P lo `, `${T1} stdout F world`, `${T2} stdout F `);
  assert.deepEqual(frames(decodeAll(input, opts())), [[1, 'hel'], [2, 'oops\n'], [1, 'lo world\n\n']]);
});

test('the output does not depend on how the file is chunked (rows split across reads)', () => {
  const lines: string[] = [];
  for (let i = 0; i < 500; i++) lines.push(`${T0} ${i % 7 === 0 ? 'stderr' : 'stdout'} ${i % 5 === 0 ? 'P' : 'F'} line ${i}`);
  const input = rows(...lines);
  const whole = streamText(decodeAll(input, opts()));
  for (const size of [1, 7, 100, 4096]) assert.deepEqual(streamText(decodeAll(input, opts(), size)), whole);
  const stamped = decodeAll(input, opts({ timestamps: true }));
  assert.deepEqual(streamText(decodeAll(input, opts({ timestamps: true }), 13)), streamText(stamped));
});

test('frames stay within 64 KiB and carry every byte', () => {
  const line = 'x'.repeat(99);
  const input = rows(...Array.from({ length: 3000 }, () => `${T0} stdout F ${line}`));
  const fs = new FrameDecoder().push(decodeAll(input, opts()));
  assert.ok(fs.length >= 5 && fs.length <= 6, `${fs.length} frames`);
  assert.ok(fs.every((f) => f.payload.length <= 64 * 1024));
  assert.equal(fs.reduce((n, f) => n + f.payload.length, 0), 3000 * 100);
});

test('TTY containers get the raw bytes, no frames', () => {
  const input = rows(`${T0} stdout P $ `, `${T0} stdout F ls`, `${T1} stdout F bin`);
  assert.equal(decodeAll(input, opts({ tty: true })).toString(), '$ ls\nbin\n');
});

test('stdout or stderr only', () => {
  const input = rows(`${T0} stdout F out`, `${T0} stderr P err`, `${T0} stderr F !`, `${T1} stdout F out2`);
  assert.deepEqual(frames(decodeAll(input, opts({ stderr: false }))), [[1, 'out\nout2\n']]);
  assert.deepEqual(frames(decodeAll(input, opts({ stdout: false }))), [[2, 'err!\n']]);
});

test('timestamps as Docker prints them, once per line (at its first part)', () => {
  const input = rows(`${T0} stdout P par`, `${T1} stdout F tial`, `${T2} stderr F e`, '2026-11-22T07:43:56.000000042+01:00 stdout F tz');
  assert.deepEqual(streamText(decodeAll(input, opts({ timestamps: true }))), [
    [1, '2026-11-22T06:43:54.123456789Z partial\n'],
    [2, '2026-11-22T06:43:56.500000000Z e\n'],
    [1, '2026-11-22T06:43:56.000000042Z tz\n'],
  ]);
});

test('since and until (inclusive), by the time of the line', () => {
  const input = rows(`${T0} stdout F a`, `${T1} stdout P b`, `${T2} stdout F c`, `${T2} stdout F d`);
  const since = rfc3339ToNano(T1);
  assert.deepEqual(frames(decodeAll(input, opts({ sinceNano: since }))), [[1, 'bc\nd\n']]);
  assert.deepEqual(frames(decodeAll(input, opts({ untilNano: since }))), [[1, 'a\nbc\n']]);
  assert.deepEqual(frames(decodeAll(input, opts({ sinceNano: since + 1n, untilNano: rfc3339ToNano(T2) }))), [[1, 'd\n']]);
});

test('parseRowTime agrees with rfc3339ToNano', () => {
  for (const t of [T0, T1, T2, '2026-11-22T06:43:54Z', '1999-12-31T23:59:59.999999999-05:30', '2026-01-01T00:00:00.1234567891234Z']) {
    const b = Buffer.from(t);
    const out = { sec: 0, nsec: 0 };
    assert.ok(parseRowTime(b, 0, b.length, out), t);
    assert.equal(BigInt(out.sec) * 1_000_000_000n + BigInt(out.nsec), rfc3339ToNano(t), t);
  }
  assert.equal(parseRowTime(Buffer.from('garbage-not-a-time-at-all'), 0, 25, { sec: 0, nsec: 0 }), false);
});

test('rows that are not k8s-file rows are skipped', () => {
  const input = rows('junk', `${T0} stdin F x`, '', `${T0} stdout F ok`);
  assert.deepEqual(frames(decodeAll(input, opts())), [[1, 'ok\n']]);
});

test('tail: the last N lines found from the end of the file, partial lines kept whole', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-logs-'));
  try {
    const lines: string[] = [];
    for (let i = 0; i < 30000; i++) lines.push(`${T0} ${i % 3 ? 'stdout' : 'stderr'} F line ${i}`);
    lines.push(`${T1} stdout P last `, `${T1} stderr F between`, `${T1} stdout F line`);
    const file = join(dir, 'ctr.log');
    // A row still being written at the end is not a line yet.
    await writeFile(file, Buffer.concat([rows(...lines), Buffer.from(`${T2} stdout F unfinis`)]));
    const fh = await open(file, 'r');
    try {
      const size = (await fh.stat()).size;
      const read = async (n: number) => {
        const off = await tailOffset(fh, size, n);
        const b = Buffer.alloc(size - off);
        await fh.read(b, 0, b.length, off);
        return streamText(decodeAll(b, opts()));
      };
      assert.deepEqual(await read(2), [[1, 'last '], [2, 'between\n'], [1, 'line\n']]);
      assert.deepEqual(await read(1), [[1, 'last '], [2, 'between\n'], [1, 'line\n']]);
      assert.deepEqual(await read(3), [[1, 'line 29999\nlast '], [2, 'between\n'], [1, 'line\n']]);
      assert.deepEqual(await read(0), []);
      const all = await read(1_000_000);
      assert.equal(all.map(([, p]) => p).join('').split('\n').length - 1, 30002);
      assert.deepEqual((await read(29_000)).slice(0, 2), [[2, 'line 1002\n'], [1, 'line 1003\nline 1004\n']]);
    } finally {
      await fh.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('tail counts output that never got its newline as a line', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-logs-'));
  try {
    const file = join(dir, 'ctr.log');
    await writeFile(file, rows(`${T0} stdout F line4`, `${T0} stdout F line5`, `${T1} stdout P no `, `${T1} stderr F e`, `${T1} stdout P newline`));
    const fh = await open(file, 'r');
    try {
      const size = (await fh.stat()).size;
      const read = async (n: number) => {
        const off = await tailOffset(fh, size, n);
        const b = Buffer.alloc(size - off);
        await fh.read(b, 0, b.length, off);
        return streamText(decodeAll(b, opts()));
      };
      // The line's first part precedes stderr's line: that comes along.
      assert.deepEqual(await read(1), [[1, 'no '], [2, 'e\n'], [1, 'newline']]);
      assert.deepEqual(await read(2), [[1, 'no '], [2, 'e\n'], [1, 'newline']]);
      assert.deepEqual(await read(3), [[1, 'line5\nno '], [2, 'e\n'], [1, 'newline']]);
    } finally {
      await fh.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('follow: history, then appended rows, then what is left once told to finish; a slow sink is awaited', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-logs-'));
  try {
    const file = join(dir, 'ctr.log');
    const line = 'y'.repeat(99);
    const batch = (from: number, n: number) => rows(...Array.from({ length: n }, (_, i) => `${T0} ${(from + i) % 2 ? 'stderr' : 'stdout'} F ${from + i} ${line}`));
    await writeFile(file, batch(0, 20000));
    const got: Buffer[] = [];
    let writes = 0;
    // Every other write resolves later, as a socket waiting for 'drain' does.
    const sink: ByteSink = {
      closed: false,
      onClose: () => undefined,
      write(b) { got.push(b); return ++writes % 2 ? new Promise<void>((r) => setTimeout(r, 5)) : undefined; },
    };
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((r) => { finish = r; });
    const fh = await LogReader.open(file);
    try {
      const following = new LogReader(fh, 0, new LogDecoder(opts()), sink).follow(file, finished);
      for (let i = 1; i <= 5; i++) {
        await new Promise((r) => setTimeout(r, 20));
        await appendFile(file, batch(i * 20000, 1000));
      }
      // Rows written just before the exit, and one split across two writes, are still delivered.
      await appendFile(file, Buffer.from(`${T1} stdout F la`));
      await appendFile(file, Buffer.from('st\n'));
      finish();
      await following;
    } finally {
      await fh.close();
    }
    const text = streamText(Buffer.concat(got));
    const out = text.filter(([s]) => s === 1).map(([, p]) => p).join('').split('\n').filter(Boolean);
    const err = text.filter(([s]) => s === 2).map(([, p]) => p).join('').split('\n').filter(Boolean);
    assert.equal(out.length, 12501);
    assert.equal(err.length, 12500);
    assert.equal(out[out.length - 1], 'last');
    assert.equal(err[err.length - 1], `${5 * 20000 + 999} ${line}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
