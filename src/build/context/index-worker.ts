// The indexer worker: indexes context bodies (several at once, by job id) as their bytes arrive from the
// daemon's thread, so parsing the tar and hashing its files never holds the event loop.
import { parentPort } from 'node:worker_threads';
import { PassThrough } from 'node:stream';
import { isBerthError } from '../../errors.js';
import { indexContext } from './context-index.js';
import type { ToIndexer } from './indexer-protocol.js';

const port = parentPort;
if (!port) throw new Error('index-worker runs as a worker thread');
const jobs = new Map<number, PassThrough>();

port.on('message', (m: ToIndexer) => {
  switch (m.t) {
    case 'start': {
      const input = new PassThrough({ highWaterMark: 1 << 20 });
      jobs.set(m.id, input);
      indexContext(input, new Set(m.wanted)).then(
        (result) => port.postMessage({ t: 'done', id: m.id, result }),
        (err: unknown) => port.postMessage({ t: 'error', id: m.id, message: err instanceof Error ? err.message : String(err), invalid: isBerthError(err, 'invalid-argument') }),
      ).finally(() => { jobs.delete(m.id); input.resume(); });
      return;
    }
    case 'data': {
      const input = jobs.get(m.id);
      if (!input) return;
      const n = m.chunk.byteLength;
      // Acknowledged once the parser took the bytes: the sender keeps a bounded window in flight.
      input.write(Buffer.from(m.chunk.buffer, m.chunk.byteOffset, n), () => port.postMessage({ t: 'ack', id: m.id, bytes: n }));
      return;
    }
    case 'end':
      jobs.get(m.id)?.end();
      return;
    case 'abort':
      jobs.get(m.id)?.destroy(new Error('aborted'));
      return;
  }
});
