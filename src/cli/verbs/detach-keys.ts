// Docker's detach sequence for `run -it` / `start -ai` / `attach`: bytes typed on stdin are forwarded
// until the whole sequence is seen, then the CLI lets go of the container and exits 0.
import { UsageError } from '../flags.js';
import { parseDetachKeySpec } from '../../util/detach-keys.js';

export { DEFAULT_DETACH_KEYS } from '../../util/detach-keys.js';

/** Parses docker's `--detach-keys` format, with the docker CLI's message for a bad one. */
export function parseDetachKeys(spec: string): Buffer {
  const keys = parseDetachKeySpec(spec);
  if (!keys) throw new UsageError(`Invalid escape keys (${spec}) provided`, 1);
  return Buffer.from(keys);
}

