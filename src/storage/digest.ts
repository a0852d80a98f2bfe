// Digest helpers shared by the content and layer stores: `sha256:<hex>` strings, chain IDs.
import { createHash } from 'node:crypto';
import { invalidArgument } from '../errors.js';

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

export function isDigest(s: string): boolean {
  return DIGEST_RE.test(s);
}

/** Throws invalidArgument unless `s` is a `sha256:<64 hex>` digest. */
export function checkDigest(s: string): string {
  if (!isDigest(s)) throw invalidArgument(`invalid digest: ${JSON.stringify(s)}`);
  return s;
}

export function digestHex(digest: string): string {
  return checkDigest(digest).slice('sha256:'.length);
}

export function sha256Digest(data: string | Uint8Array): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

/** OCI chain IDs: ChainID(L0) = DiffID(L0); ChainID(L0..n) = sha256(ChainID(L0..n-1) + " " + DiffID(Ln)). */
export function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  for (const diff of diffIds) {
    const parent = out[out.length - 1];
    out.push(parent === undefined ? diff : sha256Digest(`${parent} ${diff}`));
  }
  return out;
}
