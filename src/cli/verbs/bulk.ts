// Bulk verbs (rm a b c, stop a b) act on every item, report each success on stdout and each failure
// on stderr, and fail overall when any item failed: the podman/docker "report per item" behaviour.
import type { CliContext } from '../command.js';
import { ExitError } from '../command.js';

export interface ItemReport { item: string; output?: string; error?: Error }

/** Runs `op` for each item in parallel; results are printed in argument order. */
export async function eachItem(ctx: CliContext, items: string[], op: (item: string) => Promise<string | undefined>): Promise<ItemReport[]> {
  const settled = await Promise.allSettled(items.map((i) => op(i)));
  return settled.map((s, i) => (s.status === 'fulfilled' ? { item: items[i], output: s.value } : { item: items[i], error: s.reason as Error }));
}

/** Prints successes and failures; returns the exit status (1 if anything failed). */
export function reportItems(ctx: CliContext, reports: ItemReport[], trailer?: (failed: string[]) => string): number {
  const failed: string[] = [];
  for (const r of reports) {
    if (r.error) { ctx.stderr.write(`${r.error.message}\n`); failed.push(r.item); }
    else if (r.output !== undefined) ctx.stdout.write(`${r.output}\n`);
  }
  if (failed.length && trailer) throw new ExitError(trailer(failed), 1);
  return failed.length ? 1 : 0;
}
