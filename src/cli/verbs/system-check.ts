// `berth system check` (Berth's own verb): what start-up recovery set aside instead of deleting, and
// where those files are kept. Exit status 1 when something was set aside, so scripts can test it.
import type { VerbSpec } from '../command.js';
import { tabwrite } from '../format/tabwriter.js';

export const systemCheckVerb: VerbSpec = {
  usage: 'check',
  summary: 'Show container records that could not be read at start-up (set aside, files kept)',
  flags: [],
  args: { max: 0 },
  async run(ctx) {
    const r = await ctx.client().systemCheck();
    if (!r.Quarantined.length) { ctx.stdout.write('No problems found.\n'); return 0; }
    ctx.stdout.write(`${r.Quarantined.length} container record(s) could not be read and were set aside (files kept):\n\n`);
    ctx.stdout.write(tabwrite(['CONTAINER ID\tSET ASIDE\tREASON\tFILES', ...r.Quarantined.map((q) => `${q.ID.slice(0, 12)}\t${q.At}\t${q.Reason.replace(/\s+/g, ' ')}\t${q.Path}`)].join('\n') + '\n'));
    return 1;
  },
};
