// Docker's `filters` of list and prune endpoints, decoded once at the API edge (api/context.ts
// filtersQuery) and matched by each service.
import { invalidArgument } from '../errors.js';

export type Filters = Record<string, string[]>;

/** Refuses filter keys a list endpoint does not know, with Docker's message. */
export function checkFilterKeys(filters: Filters, allowed: string[]): void {
  for (const k of Object.keys(filters)) {
    if (!allowed.includes(k)) throw invalidArgument(`invalid filter '${k}'`);
  }
}
