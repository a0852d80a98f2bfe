// Route table. Patterns use `{name}` for one path segment and `{name*}` for the rest of the path (image
// references contain slashes). Paths are matched after the optional `/vX.Y` prefix is removed.
import { invalidArgument, notFound } from '../errors.js';
import { API_VERSION, MIN_API_VERSION, type RequestContext } from './context.js';

export type Handler = (ctx: RequestContext) => Promise<void> | void;

interface Route { method: string; regex: RegExp; names: string[]; handler: Handler }

function compile(pattern: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const source = pattern.replace(/[.+?^$()[\]\\|]/g, '\\$&').replace(/\{(\w+)(\*?)\}/g, (_m, name: string, star: string) => {
    names.push(name);
    return star ? '(.+)' : '([^/]+)';
  });
  return { regex: new RegExp(`^${source}$`), names };
}

function versionNumber(v: string): number {
  const [maj, min] = v.split('.').map(Number);
  return maj * 1000 + (min ?? 0);
}

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): void {
    const { regex, names } = compile(pattern);
    this.routes.push({ method, regex, names, handler });
  }
  get(p: string, h: Handler): void { this.add('GET', p, h); }
  post(p: string, h: Handler): void { this.add('POST', p, h); }
  put(p: string, h: Handler): void { this.add('PUT', p, h); }
  delete(p: string, h: Handler): void { this.add('DELETE', p, h); }
  head(p: string, h: Handler): void { this.add('HEAD', p, h); }

  /** Splits `/v1.44/containers/json` into version and path; checks the version range. */
  static splitVersion(pathname: string): { version: string; path: string } {
    const m = /^\/v(\d+\.\d+)(\/.*)$/.exec(pathname);
    if (!m) return { version: API_VERSION, path: pathname };
    const version = m[1];
    if (versionNumber(version) > versionNumber(API_VERSION)) {
      throw invalidArgument(`client version ${version} is too new. Maximum supported API version is ${API_VERSION}`);
    }
    if (versionNumber(version) < versionNumber(MIN_API_VERSION)) {
      throw invalidArgument(`client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`);
    }
    return { version, path: m[2] };
  }

  match(method: string, path: string): { handler: Handler; params: Record<string, string> } {
    // HEAD falls back to GET, as Go's router does for Docker.
    for (const m of method === 'HEAD' ? ['HEAD', 'GET'] : [method]) {
      for (const r of this.routes) {
        if (r.method !== m) continue;
        const hit = r.regex.exec(path);
        if (!hit) continue;
        const params: Record<string, string> = {};
        r.names.forEach((n, i) => { params[n] = decodeURIComponent(hit[i + 1]); });
        return { handler: r.handler, params };
      }
    }
    throw notFound(`page not found`);
  }
}
