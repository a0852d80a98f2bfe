// `berth stats`: a live table of running containers' usage (redrawn each second, as docker's), or one
// snapshot with --no-stream (the daemon answers from its sampler, or after two samples 0.25 s apart).
import type { CliContext, VerbSpec } from '../command.js';
import { ExitError } from '../command.js';
import { tabwrite } from '../format/tabwriter.js';
import { jsonLines } from '../../client/transport.js';
import { STATS_HEADER, statsCells, statsRow, type StatsJson, type StatsRow } from './stats-format.js';

async function targets(ctx: CliContext, args: string[], all: boolean): Promise<string[]> {
  if (args.length) return args;
  const list = await ctx.client().containerList({ all });
  return list.map((c) => c.Id);
}

function render(rows: Map<string, StatsRow>, order: string[], noTrunc: boolean): string {
  const lines = [STATS_HEADER.join('\t'), ...order.filter((id) => rows.has(id)).map((id) => statsCells(rows.get(id)!, noTrunc).join('\t'))];
  return tabwrite(lines.join("\n") + "\n", { minWidth: 10, padding: 3 });
}

async function readOne(ctx: CliContext, id: string): Promise<StatsJson> {
  const res = await ctx.client().containerStats(id, false);
  for await (const s of jsonLines<StatsJson>(res)) return s;
  throw new ExitError(`no stats for ${id}`, 1);
}

export const statsVerb: VerbSpec = {
  usage: 'stats [OPTIONS] [CONTAINER...]',
  summary: 'Display a live stream of container(s) resource usage statistics',
  aliases: ['container stats', 'stats'],
  flags: [
    { long: 'all', short: 'a', kind: 'bool', help: 'Show all containers (default shows just running)' },
    { long: 'no-stream', kind: 'bool', help: 'Disable streaming stats and only pull the first result' },
    { long: 'no-trunc', kind: 'bool', help: 'Do not truncate output' },
  ],
  args: { min: 0 },
  async run(ctx, flags) {
    const ids = await targets(ctx, flags.args, flags.bool('all'));
    const noTrunc = flags.bool('no-trunc');
    const rows = new Map<string, StatsRow>();
    if (flags.bool('no-stream')) {
      const got = await Promise.all(ids.map((id) => readOne(ctx, id)));
      got.forEach((s, i) => rows.set(ids[i], statsRow(s)));
      ctx.stdout.write(render(rows, ids, noTrunc));
      return 0;
    }
    const streams = ids.map(async (id) => {
      const res = await ctx.client().containerStats(id, true);
      for await (const s of jsonLines<StatsJson>(res)) rows.set(id, statsRow(s));
    });
    const tty = !!ctx.stdout.isTTY;
    const timer = setInterval(() => {
      ctx.stdout.write((tty ? '\x1b[2J\x1b[H' : '') + render(rows, ids, noTrunc));
    }, 1000);
    try { await Promise.all(streams); } finally { clearInterval(timer); }
    return 0;
  },
};
