// Docker-style image references: `busybox` → docker.io/library/busybox:latest, shown back in Docker's
// familiar form (`busybox:latest`, `localhost:5000/x:1`, `me/app:2`).
import { invalidArgument } from '../errors.js';

export const DEFAULT_DOMAIN = 'docker.io';
export const DEFAULT_TAG = 'latest';

export interface ImageReference {
  /** Full name with domain, e.g. `docker.io/library/busybox`. */
  name: string;
  tag?: string;
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?$|^\[[a-fA-F0-9:]+\](?::[0-9]+)?$/;

function invalid(ref: string, why = ''): never {
  throw invalidArgument(`invalid reference format${why ? `: ${why}` : ''}`);
  void ref;
}

/** True for a bare 64-hex string (Docker refuses those as repository names). */
export function isFullHexId(s: string): boolean {
  return /^[a-f0-9]{64}$/.test(s);
}

/** Parses and normalizes a reference; throws Docker's `invalid reference format` errors. */
export function parseReference(ref: string): ImageReference {
  if (ref === '' || ref.length > 255 + 128 + 80) invalid(ref);
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) invalid(ref);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) invalid(ref);
  }
  if (rest === '') invalid(ref);
  const slash = rest.indexOf('/');
  let domain = DEFAULT_DOMAIN;
  let path = rest;
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()) {
      domain = first;
      path = rest.slice(slash + 1);
      if (!DOMAIN.test(domain)) invalid(ref);
    }
  }
  if (domain === 'index.docker.io') domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = `library/${path}`;
  if (path !== path.toLowerCase()) invalid(ref, `repository name (${path}) must be lowercase`);
  if (!path.split('/').every((c) => COMPONENT.test(c))) invalid(ref);
  if (domain === DEFAULT_DOMAIN && isFullHexId(rest)) {
    invalid(ref, `cannot specify 64-byte hexadecimal strings`);
  }
  return { name: `${domain}/${path}`, tag, digest };
}

/** The reference with `latest` filled in when it has neither tag nor digest. */
export function withDefaultTag(r: ImageReference): ImageReference {
  return r.tag === undefined && r.digest === undefined ? { ...r, tag: DEFAULT_TAG } : r;
}

/** Docker's familiar name: `docker.io/library/` and `docker.io/` dropped. */
export function familiarName(name: string): string {
  if (name.startsWith(`${DEFAULT_DOMAIN}/library/`)) {
    const rest = name.slice(`${DEFAULT_DOMAIN}/library/`.length);
    return rest.includes('/') ? name.slice(`${DEFAULT_DOMAIN}/`.length) : rest;
  }
  if (name.startsWith(`${DEFAULT_DOMAIN}/`)) return name.slice(`${DEFAULT_DOMAIN}/`.length);
  return name;
}

export function familiarString(r: ImageReference): string {
  let s = familiarName(r.name);
  if (r.tag !== undefined) s += `:${r.tag}`;
  if (r.digest !== undefined) s += `@${r.digest}`;
  return s;
}

/** `busybox` → `busybox:latest`; `x@sha256:…` stays a digest reference. The form stored and shown. */
export function normalizeTagged(ref: string): string {
  return familiarString(withDefaultTag(parseReference(ref)));
}

/** Name in the familiar form for a stored `name:tag` or `name@digest` key. */
export function repoOf(key: string): string {
  const at = key.indexOf('@');
  if (at >= 0) return key.slice(0, at);
  const colon = key.lastIndexOf(':');
  return colon > key.lastIndexOf('/') ? key.slice(0, colon) : key;
}

/** Docker's image reference filter: a path glob over `name` or `name:tag` (`*` does not cross `/`). */
export function matchReferenceGlob(pattern: string, key: string): boolean {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') + '$');
  if (re.test(key)) return true;
  if (!key.includes('@') && re.test(repoOf(key))) return true;
  // Docker also matches the fully qualified name.
  try {
    const full = parseReference(key);
    const fq = full.name + (full.tag ? `:${full.tag}` : '');
    return re.test(fq) || re.test(full.name);
  } catch { return false; }
}

/** How Docker names a missing reference: `busybox` → `busybox:latest`; IDs and odd strings as given. */
export function displayRef(ref: string): string {
  if (/^sha256:/.test(ref) || isFullHexId(ref)) return ref;
  try { return familiarString(withDefaultTag(parseReference(ref))); } catch { return ref; }
}
