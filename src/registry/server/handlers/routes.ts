// Path → route. Repository names contain slashes, so each route is matched from the end of the path and the
// rest is the name (checked against the spec's grammar before anything else looks at it).
import { regError } from '../errors.js';
import { checkRepoName } from '../names.js';

export type Route =
  | { kind: 'base' }
  | { kind: 'catalog' }
  | { kind: 'tags'; name: string }
  | { kind: 'manifest'; name: string; ref: string }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'uploads'; name: string }
  | { kind: 'upload'; name: string; uuid: string }
  | { kind: 'referrers'; name: string; digest: string };

const patterns: Array<[RegExp, (m: RegExpExecArray) => Route]> = [
  [/^(.+)\/tags\/list$/, (m) => ({ kind: 'tags', name: m[1] })],
  [/^(.+)\/manifests\/([^/]+)$/, (m) => ({ kind: 'manifest', name: m[1], ref: m[2] })],
  [/^(.+)\/blobs\/uploads\/?$/, (m) => ({ kind: 'uploads', name: m[1] })],
  [/^(.+)\/blobs\/uploads\/([^/]+)$/, (m) => ({ kind: 'upload', name: m[1], uuid: m[2] })],
  [/^(.+)\/blobs\/([^/]+)$/, (m) => ({ kind: 'blob', name: m[1], digest: m[2] })],
  [/^(.+)\/referrers\/([^/]+)$/, (m) => ({ kind: 'referrers', name: m[1], digest: m[2] })],
];

/** The route of a `/v2/...` path, or undefined for anything else. */
export function matchRoute(pathname: string): Route | undefined {
  if (pathname === '/v2' || pathname === '/v2/') return { kind: 'base' };
  if (!pathname.startsWith('/v2/')) return undefined;
  const rest = pathname.slice(4);
  if (rest === '_catalog') return { kind: 'catalog' };
  for (const [re, make] of patterns) {
    const m = re.exec(rest);
    if (!m) continue;
    let route: Route;
    try {
      route = make(m.map((g) => decodeURIComponent(g)) as unknown as RegExpExecArray);
    } catch {
      throw regError('NAME_INVALID', 'invalid repository name', { path: pathname });
    }
    if ('name' in route) checkRepoName(route.name);
    return route;
  }
  return undefined;
}

export const allowedMethods: Record<Route['kind'], string[]> = {
  base: ['GET', 'HEAD'],
  catalog: ['GET'],
  tags: ['GET'],
  manifest: ['GET', 'HEAD', 'PUT', 'DELETE'],
  blob: ['GET', 'HEAD', 'DELETE'],
  uploads: ['POST'],
  upload: ['GET', 'PATCH', 'PUT', 'DELETE'],
  referrers: ['GET'],
};
