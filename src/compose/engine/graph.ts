// Dependency order over depends_on (and network_mode: service:x): selecting a service pulls in what it
// depends on; traversal runs each service once all of its dependencies are done, independent ones in
// parallel; `down` walks the same graph in reverse.
import { invalidFile, notFound } from '../errors.js';
import type { Project, ServiceConfig } from '../model/types.js';

export function dependenciesOf(svc: ServiceConfig): string[] {
  const deps = Object.keys(svc.depends_on);
  if (svc.network_mode?.startsWith('service:')) deps.push(svc.network_mode.slice('service:'.length));
  return [...new Set(deps)];
}

/** The requested services (all when none are named) plus, unless noDeps, everything they depend on. */
export function selectServices(project: Project, names: string[], noDeps = false): string[] {
  for (const n of names) {
    if (!project.services[n]) throw notFound(`no such service: ${n}`);
  }
  if (names.length === 0) return Object.keys(project.services);
  if (noDeps) return names;
  const out = new Set<string>();
  const visit = (n: string) => {
    if (out.has(n) || !project.services[n]) return;
    out.add(n);
    for (const d of dependenciesOf(project.services[n])) visit(d);
  };
  names.forEach(visit);
  return [...out];
}

function checkCycles(project: Project, names: string[]): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (n: string, path: string[]) => {
    if (state.get(n) === 'done' || !project.services[n]) return;
    if (state.get(n) === 'visiting') throw invalidFile(`dependency cycle detected: ${[...path, n].join(' -> ')}`);
    state.set(n, 'visiting');
    for (const d of dependenciesOf(project.services[n])) visit(d, [...path, n]);
    state.set(n, 'done');
  };
  for (const n of names) visit(n, []);
}

/**
 * Runs `fn` for each selected service after the services it depends on (among the selected) finished;
 * `reverse` runs dependents first (for stop/down). The first failure rejects once all started work ends.
 */
export async function inDependencyOrder(project: Project, names: string[], fn: (name: string) => Promise<void>, reverse = false): Promise<void> {
  checkCycles(project, names);
  const selected = new Set(names);
  const before = new Map<string, string[]>();
  for (const n of names) before.set(n, []);
  for (const n of names) {
    for (const d of dependenciesOf(project.services[n] ?? project.disabledServices[n])) {
      if (!selected.has(d)) continue;
      if (reverse) before.get(d)!.push(n); else before.get(n)!.push(d);
    }
  }
  const done = new Map<string, Promise<void>>();
  const run = (n: string): Promise<void> => {
    let p = done.get(n);
    if (!p) {
      p = Promise.all(before.get(n)!.map(run)).then(() => fn(n));
      done.set(n, p);
    }
    return p;
  };
  const results = await Promise.allSettled(names.map(run));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
