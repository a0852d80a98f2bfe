// Legacy links (`docker run --link target:alias`), as dockerd keeps them. On the default bridge (and
// `none`) a link is registered at create: the parent knows the target as `/<parent>/<alias>` (a name that
// resolves to the target), gets `ALIAS_*` variables and an /etc/hosts line for it at each start, and the
// target must be running then. On a user-defined network a link is only an alias of the target that the
// parent alone resolves (Docker's embedded DNS); Berth writes it into the parent's /etc/hosts.
import { internal, invalidArgument, notFound } from '../../errors.js';
import type { ContainerLink, ContainerRecord, HostConfig } from '../../model/container.js';

/** How the links code reads containers (the container store). */
export interface LinkStore {
  all(): ContainerRecord[];
  get(id: string): ContainerRecord | undefined;
  resolve(ref: string): ContainerRecord;
}

const isRunning = (r: ContainerRecord) => r.State.Status === 'running' || r.State.Status === 'paused';

/** Docker's opts.ParseLink: `name:alias`, `name` (alias = name), or `/name:/parent/alias` from an old HostConfig. */
export function parseLink(val: string): { name: string; alias: string } {
  if (val === '') throw invalidArgument('empty string specified for links');
  const parts = val.split(':');
  if (parts.length > 2) throw internal(`bad format for links: ${val}`);
  if (parts.length === 1) return { name: val, alias: val };
  if (parts[0].startsWith('/')) return { name: parts[0].slice(1), alias: parts[1].slice(parts[1].lastIndexOf('/') + 1) };
  return { name: parts[0], alias: parts[1] };
}

/** Modes whose links dockerd registers (everything but a user-defined network). */
function registersLinks(mode: string): boolean {
  return mode === 'bridge' || mode === 'default' || mode === 'none' || mode === 'host' || mode.startsWith('container:');
}

/**
 * The links of a container being created, checked as dockerd checks them: the target must exist (400
 * `could not get container for X: No such container: X`); a target in another's network namespace is that
 * one; a host-network target or parent is refused. A repeated alias keeps the first link, as in Docker.
 */
export function registerLinks(store: LinkStore, hc: HostConfig): ContainerLink[] {
  const mode = hc.NetworkMode || 'bridge';
  const links = (hc.Links as string[] | null | undefined) ?? [];
  if (!links.length) return [];
  if (mode === 'host') throw invalidArgument("conflicting options: host type networking can't be used with links. This would result in undefined behavior");
  if (mode.startsWith('container:')) throw invalidArgument("conflicting options: container type network can't be used with links. This would result in undefined behavior");
  if (!registersLinks(mode)) return [];
  const out: ContainerLink[] = [];
  for (const l of links) {
    const { name, alias } = parseLink(l);
    let target = lookup(store, name, `could not get container for ${name}`);
    for (let hops = 0; hops < 16 && (target.HostConfig.NetworkMode ?? '').startsWith('container:'); hops++) {
      const next = String(target.HostConfig.NetworkMode).slice('container:'.length);
      target = lookup(store, next, `Could not get container for ${next}`);
    }
    if (target.HostConfig.NetworkMode === 'host') throw invalidArgument("conflicting options: host type networking can't be used with links. This would result in undefined behavior");
    if (!alias || out.some((o) => o.Alias === alias)) continue; // dockerd ignores a name it cannot reserve
    out.push({ Id: target.Id, Name: target.Name, Alias: alias });
  }
  return out;
}

function lookup(store: LinkStore, ref: string, context: string): ContainerRecord {
  if (!ref) throw invalidArgument(`${context}: invalid name or ID supplied: ""`);
  try { return store.resolve(ref); } catch (err) {
    // dockerd answers 400 (not 404): a 404 would make the CLI report a missing image.
    throw invalidArgument(`${context}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The parent's name for a link: `/parent/alias`. */
export const linkName = (parent: ContainerRecord, l: ContainerLink): string => `${parent.Name}/${l.Alias}`;

/** The target's current name (its last known one once it was removed, as dockerd keeps it). */
const targetName = (store: LinkStore, l: ContainerLink): string => store.get(l.Id)?.Name ?? l.Name;

/** HostConfig.Links as inspect shows it: `["/target:/parent/alias"]`, null without links. */
export function linksView(store: LinkStore, rec: ContainerRecord): string[] | null {
  const links = rec.Links ?? [];
  return links.length ? links.map((l) => `${targetName(store, l)}:${linkName(rec, l)}`) : null;
}

/** Every container's link names (`/parent/alias`), by target ID: the extra Names of GET /containers/json. */
export function linkNamesByTarget(store: LinkStore): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const parent of store.all()) for (const l of parent.Links ?? []) out.set(l.Id, [...(out.get(l.Id) ?? []), linkName(parent, l)]);
  return out;
}

/** `parent/alias` (with or without the leading slash) to the target, if it is a link name. */
export function resolveLinkName(store: { byName(name: string): ContainerRecord | undefined; get(id: string): ContainerRecord | undefined }, ref: string): ContainerRecord | undefined {
  const path = ref.startsWith('/') ? ref.slice(1) : ref;
  const slash = path.indexOf('/');
  if (slash <= 0) return undefined;
  const parent = store.byName('/' + path.slice(0, slash));
  const link = parent?.Links?.find((l) => l.Alias === path.slice(slash + 1));
  return link ? store.get(link.Id) : undefined;
}

interface Resolved { link: ContainerLink; target: ContainerRecord; ip: string }

/**
 * The targets of a parent on the default bridge, checked as dockerd checks them at start: each must be on
 * the default bridge (`Cannot link to /t, as it does not belong to the default network`) and running.
 */
function bridgeTargets(store: LinkStore, rec: ContainerRecord): Resolved[] {
  if (!rec.NetworkSettings?.Networks.bridge || !rec.Links?.length) return [];
  return rec.Links.map((link) => {
    const target = store.get(link.Id);
    if (target && !target.NetworkSettings?.Networks.bridge) {
      throw internal(`Cannot link to ${target.Name}, as it does not belong to the default network`);
    }
    if (!target || !isRunning(target)) throw internal(`Cannot link to a non running container: ${targetName(store, link)} AS ${linkName(rec, link)}`);
    return { link, target, ip: target.NetworkSettings?.Networks.bridge?.IPAddress ?? '' };
  });
}

/** Docker's sort of exposed ports: by number, tcp first on a tie. */
function sortedPorts(exposed: Record<string, unknown> | undefined): Array<{ port: string; proto: string; n: number }> {
  const ports = Object.keys(exposed ?? {}).map((k) => {
    const [port, proto = 'tcp'] = k.split('/');
    return { port, proto, n: Number(port) };
  });
  return ports.sort((a, b) => a.n - b.n || (a.proto.toLowerCase() === 'tcp' ? -1 : b.proto.toLowerCase() === 'tcp' ? 1 : 0));
}

/** Docker's links.EnvVars: `ALIAS_PORT`, ranges of 3+ contiguous ports, each port, `ALIAS_NAME`, `ALIAS_ENV_*`. */
export function linkEnvVars(name: string, ip: string, targetEnv: string[], exposed: Record<string, unknown> | undefined): string[] {
  const alias = name.slice(name.lastIndexOf('/') + 1).toUpperCase().replace(/-/g, '_');
  const ports = sortedPorts(exposed);
  const env: string[] = [];
  const key = (p: { port: string; proto: string }) => `${alias}_PORT_${p.port}_${p.proto.toUpperCase()}`;
  if (ports.length) env.push(`${alias}_PORT=${ports[0].proto}://${ip}:${ports[0].port}`);
  for (let i = 0; i < ports.length;) {
    let j = i;
    while (j + 1 < ports.length && ports[j + 1].n <= ports[j].n + 1) j++;
    if (j > i + 1) {
      const p = ports[i];
      const q = ports[j];
      env.push(`${key(p)}_START=${p.proto}://${ip}:${p.port}`, `${key(p)}_ADDR=${ip}`, `${key(p)}_PROTO=${p.proto}`, `${key(p)}_PORT_START=${p.port}`);
      env.push(`${alias}_PORT_${p.port}_${q.proto.toUpperCase()}_END=${q.proto}://${ip}:${q.port}`, `${alias}_PORT_${p.port}_${q.proto.toUpperCase()}_PORT_END=${q.port}`);
      i = j + 1;
    } else i++;
  }
  for (const p of ports) env.push(`${key(p)}=${p.proto}://${ip}:${p.port}`, `${key(p)}_ADDR=${ip}`, `${key(p)}_PORT=${p.port}`, `${key(p)}_PROTO=${p.proto}`);
  env.push(`${alias}_NAME=${name}`);
  for (const kv of targetEnv) {
    const eq = kv.indexOf('=');
    if (eq < 0) continue;
    const k = kv.slice(0, eq);
    if (k === 'HOME' || k === 'PATH') continue; // set by builds, not the target's own
    env.push(`${alias}_ENV_${k}=${kv.slice(eq + 1)}`);
  }
  return env;
}

/** The variables a parent's process gets for its links (at start and for each exec, as dockerd computes them). */
export function linkEnv(store: LinkStore, rec: ContainerRecord): string[] {
  return bridgeTargets(store, rec).flatMap(({ link, target, ip }) =>
    linkEnvVars(linkName(rec, link), ip, (target.Config.Env as string[] | undefined) ?? [], target.Config.ExposedPorts as Record<string, unknown> | undefined));
}

/**
 * /etc/hosts lines for a parent's links, as `names:ip` extra hosts: on the default bridge `alias hostname
 * name` (name only when it is not the alias) for each target; on user-defined networks `alias` for each
 * endpoint link whose target is running on that network.
 */
export function linkHosts(store: LinkStore, rec: ContainerRecord): string[] {
  const out: string[] = [];
  for (const { link, target, ip } of bridgeTargets(store, rec)) {
    const names = [link.Alias.slice(link.Alias.lastIndexOf('/') + 1), String(target.Config.Hostname ?? target.Id.slice(0, 12))];
    if (names[0] !== target.Name.slice(1)) names.push(target.Name.slice(1));
    const ip6 = target.NetworkSettings?.Networks.bridge?.GlobalIPv6Address;
    if (ip) out.push(`${names.join(' ')}:${ip}`);
    if (ip6) out.push(`${names.join(' ')}:${ip6}`);
  }
  for (const [key, ep] of Object.entries(rec.NetworkSettings?.Networks ?? {})) {
    if (key === 'bridge') continue;
    for (const l of ep.Links ?? []) {
      let parsed;
      try { parsed = parseLink(l); } catch { continue; }
      let target: ContainerRecord | undefined;
      try { target = store.resolve(parsed.name); } catch { continue; } // dockerd accepts a link it cannot resolve here
      const tep = Object.values(target.NetworkSettings?.Networks ?? {}).find((e) => e.NetworkID === ep.NetworkID);
      if (isRunning(target) && tep?.IPAddress && parsed.alias) out.push(`${parsed.alias}:${tep.IPAddress}`);
    }
  }
  return out;
}

/** Running parents on the default bridge that link to `target` (their /etc/hosts follow its address). */
export function parentsOf(store: LinkStore, target: ContainerRecord): ContainerRecord[] {
  return store.all().filter((p) => p.Id !== target.Id && isRunning(p) && p.NetworkSettings?.Networks.bridge && p.Links?.some((l) => l.Id === target.Id));
}

/**
 * `DELETE /containers/<parent>/<alias>?link=1`: the link goes from the parent's record; dockerd's errors
 * for a container's own name and for a name that is no link. Returns the parent that changed.
 */
export function removeLink(store: LinkStore & { byName(name: string): ContainerRecord | undefined }, ref: string): ContainerRecord {
  const full = ref.startsWith('/') ? ref : '/' + ref;
  const target = resolveLinkName(store, full);
  if (!target) {
    store.resolve(ref); // a container's own name answers as dockerd does below; anything else is a 404
    throw internal('Conflict, cannot remove the default link name of the container');
  }
  const slash = full.indexOf('/', 1);
  const parent = store.byName(full.slice(0, slash));
  if (!parent) throw notFound(`No such container: ${ref}`);
  parent.Links = (parent.Links ?? []).filter((l) => l.Alias !== full.slice(slash + 1));
  return parent;
}

/** After `rename` of a container: the names its parents keep for it (shown when it is later removed). */
export function renamedTarget(store: LinkStore, target: ContainerRecord): ContainerRecord[] {
  const changed: ContainerRecord[] = [];
  for (const p of store.all()) {
    let touched = false;
    for (const l of p.Links ?? []) if (l.Id === target.Id && l.Name !== target.Name) { l.Name = target.Name; touched = true; }
    if (touched) changed.push(p);
  }
  return changed;
}
