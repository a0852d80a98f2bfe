// What the Distribution spec allows as repository names, tags and digests. Every path parameter is checked
// here once, before it reaches storage (and so before it becomes part of a file path).
import { regError } from './errors.js';

// distribution-spec: <name> = path-component ("/" path-component)*, path-component = [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*
const NAME_RE = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const TAG_RE = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
/** distribution's limit on the whole name (so that `host/name` fits Docker's 255-character references). */
const MAX_NAME = 255;

export type DigestAlgorithm = 'sha256' | 'sha512';
const HEX_LEN: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };

export interface ParsedDigest { algorithm: DigestAlgorithm; hex: string; digest: string }

export function isRepoName(name: string): boolean {
  return name.length <= MAX_NAME && NAME_RE.test(name);
}

export function checkRepoName(name: string): string {
  if (!isRepoName(name)) throw regError('NAME_INVALID', 'invalid repository name', { name });
  return name;
}

export function isTag(ref: string): boolean {
  return TAG_RE.test(ref);
}

/** Parses `alg:hex`; throws DIGEST_INVALID for anything else, UNSUPPORTED-free: unknown algorithms are invalid. */
export function parseDigest(s: string): ParsedDigest {
  const m = /^([a-z0-9]+(?:[.+_-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/.exec(s);
  if (!m) throw regError('DIGEST_INVALID', 'provided digest did not match uploaded content', { digest: s, reason: 'invalid digest format' });
  const algorithm = m[1] as DigestAlgorithm;
  const want = HEX_LEN[algorithm];
  if (want === undefined) throw regError('DIGEST_INVALID', 'unsupported digest algorithm', { digest: s });
  if (m[2].length !== want || !/^[a-f0-9]+$/.test(m[2])) throw regError('DIGEST_INVALID', 'invalid digest', { digest: s });
  return { algorithm, hex: m[2], digest: s };
}

export function isDigestRef(ref: string): boolean {
  return ref.includes(':');
}
