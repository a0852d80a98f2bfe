// Finding a project's containers by their compose labels, ordered by service and replica number.
import type { ContainerSummary } from '../../client/types.js';
import type { ComposeApi } from './api.js';
import { LABEL } from './labels.js';

export interface ListOptions { services?: string[]; oneoff?: boolean | 'all'; all?: boolean }

export function serviceOf(c: ContainerSummary): string { return c.Labels?.[LABEL.service] ?? ''; }
export function numberOf(c: ContainerSummary): number { return Number(c.Labels?.[LABEL.number] ?? 0); }
export function nameOf(c: ContainerSummary): string { return (c.Names[0] ?? '').replace(/^\//, ''); }

export async function projectContainers(api: ComposeApi, project: string, o: ListOptions = {}): Promise<ContainerSummary[]> {
  const label = [`${LABEL.project}=${project}`];
  if (o.oneoff !== 'all') label.push(`${LABEL.oneoff}=${o.oneoff ? 'True' : 'False'}`);
  const list = await api.containers({ label }, o.all ?? true);
  const wanted = o.services?.length ? new Set(o.services) : undefined;
  return list
    .filter((c) => !wanted || wanted.has(serviceOf(c)))
    .sort((a, b) => serviceOf(a).localeCompare(serviceOf(b)) || numberOf(a) - numberOf(b) || nameOf(a).localeCompare(nameOf(b)));
}
