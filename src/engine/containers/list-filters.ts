// GET /containers/json filters (id, name, label, status, ancestor, exited, before, since, ...).
import { checkFilterKeys, type Filters } from '../../model/filters.js';
import { invalidArgument } from '../../errors.js';
import type { ContainerRecord } from '../../model/container.js';

const KEYS = ['id', 'name', 'label', 'status', 'ancestor', 'exited', 'before', 'since', 'health', 'isolation', 'network', 'publish', 'expose', 'volume', 'is-task'];
const STATUSES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

export function labelMatches(labels: Record<string, string>, expr: string): boolean {
  const neg = expr.includes('!=');
  const [k, v] = neg ? expr.split('!=', 2) : expr.split('=', 2);
  if (neg) return labels[k] !== v;
  return v === undefined ? k in labels : labels[k] === v;
}

export interface FilterContext {
  /** Image ID for an `ancestor` value, or undefined when it names no image. */
  imageIdOf: (ref: string) => string | undefined;
  resolve: (ref: string) => ContainerRecord | undefined;
}

export function compileListFilters(f: Filters, ctx: FilterContext): (rec: ContainerRecord) => boolean {
  checkFilterKeys(f, KEYS);
  for (const s of f.status ?? []) if (!STATUSES.includes(s)) throw invalidArgument(`invalid filter 'status=${s}'`);
  for (const h of f.health ?? []) if (!['starting', 'healthy', 'unhealthy', 'none'].includes(h)) throw invalidArgument(`Unrecognised filter value for health: ${h}`);
  for (const e of f.exited ?? []) if (!/^-?\d+$/.test(e)) throw invalidArgument(`invalid filter 'exited=${e}'`);
  const ancestors = (f.ancestor ?? []).map((a) => ({ a, id: ctx.imageIdOf(a) }));
  const before = (f.before ?? []).map((r) => ctx.resolve(r));
  const since = (f.since ?? []).map((r) => ctx.resolve(r));
  const any = (vals: string[] | undefined, test: (v: string) => boolean) => !vals || vals.length === 0 || vals.some(test);
  return (rec) =>
    any(f.id, (v) => rec.Id.startsWith(v))
    && any(f.name, (v) => new RegExp(v).test(rec.Name.slice(1)) || rec.Name === v)
    && (f.label ?? []).every((l) => labelMatches(rec.Config.Labels ?? {}, l))
    && any(f.status, (v) => rec.State.Status === v)
    && any(f.exited, (v) => rec.State.Status === 'exited' && rec.State.ExitCode === Number(v))
    && any(f.ancestor, () => ancestors.some(({ a, id }) => rec.Image === id || rec.Config.Image === a || (id !== undefined && rec.Image === id)))
    && before.every((b) => !b || Date.parse(rec.Created) < Date.parse(b.Created))
    && since.every((s) => !s || Date.parse(rec.Created) > Date.parse(s.Created))
    && any(f.health, (v) => (rec.State.Health?.Status ?? 'none') === v)
    && any(f.network, (v) => rec.HostConfig.NetworkMode === v)
    // `volume`: a volume name (or bind source) or a mount destination, as Docker matches it.
    && any(f.volume, (v) => (rec.MountPoints ?? []).some((m) => (m.Name || m.Source) === v || m.Destination === v));
}
