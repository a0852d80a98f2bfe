// Applying one layer tar to a directory. The extraction itself (src/storage/tar-entries.ts: confinement,
// whiteouts, metadata) runs in an unpack worker, never on the event loop.
import type { Readable } from 'node:stream';
import { unpackInWorker } from './unpack-pool.js';
import type { ApplyResult } from './tar-entries.js';

export { WHITEOUT_PREFIX, OPAQUE_WHITEOUT, entryParts, asTarFormatError, type ApplyResult } from './tar-entries.js';

/** Applies one tar stream (uncompressed) to `dest`, which must exist. Throws invalidArgument on unsafe entries. */
export async function applyTar(input: Readable, dest: string): Promise<ApplyResult> {
  const { size } = await unpackInWorker(input, dest, 'none');
  return { size };
}
