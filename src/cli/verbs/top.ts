// `berth top`: the daemon's ps table, aligned as docker does (tabwriter minwidth 20).
import type { VerbSpec } from '../command.js';
import { tabwrite } from '../format/tabwriter.js';

export const topVerb: VerbSpec = {
  usage: 'top CONTAINER [ps OPTIONS]',
  summary: 'Display the running processes of a container',
  aliases: ['container top', 'top'],
  flags: [],
  interspersed: false,
  args: { min: 1 },
  async run(ctx, flags) {
    const [id, ...psArgs] = flags.args;
    const top = await ctx.client().containerTop(id, psArgs.length ? psArgs.join(' ') : undefined);
    const lines = [top.Titles.join('\t'), ...(top.Processes ?? []).map((p) => p.join('\t'))];
    ctx.stdout.write(tabwrite(lines.join('\n') + '\n', { minWidth: 20, padding: 3 }));
    return 0;
  },
};
