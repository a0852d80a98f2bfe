// `container prune` and `image prune`: confirm (unless -f), prune, list what went and the space freed.
import type { CliContext, VerbSpec } from '../command.js';
import { humanSize } from '../format/units.js';
import { parseFilterFlags } from './filters.js';

export async function confirm(ctx: CliContext, warning: string): Promise<boolean> {
  ctx.stdout.write(`${warning}\nAre you sure you want to continue? [y/N] `);
  const answer = await new Promise<string>((resolve) => {
    let buf = '';
    const onData = (c: Buffer) => {
      buf += c.toString();
      if (buf.includes('\n')) { done(); }
    };
    const done = () => { ctx.stdin.off('data', onData); ctx.stdin.off('end', done); ctx.stdin.pause(); resolve(buf.split('\n')[0].trim()); };
    ctx.stdin.on('data', onData);
    ctx.stdin.once('end', done);
    ctx.stdin.resume();
  });
  return /^y(es)?$/i.test(answer);
}

const forceFlag = { long: 'force', short: 'f', kind: 'bool' as const, help: 'Do not prompt for confirmation' };
const filterFlag = { long: 'filter', kind: 'list' as const, valueName: 'filter', help: 'Provide filter values (e.g. "until=<timestamp>")' };

export const containerPruneVerb: VerbSpec = {
  usage: 'prune [OPTIONS]',
  summary: 'Remove all stopped containers',
  flags: [filterFlag, forceFlag],
  args: { max: 0 },
  async run(ctx, flags) {
    if (!flags.bool('force') && !(await confirm(ctx, 'WARNING! This will remove all stopped containers.'))) return 0;
    const r = await ctx.client().containerPrune(parseFilterFlags(flags.list('filter')));
    const deleted = r.ContainersDeleted ?? [];
    if (deleted.length) ctx.stdout.write(`Deleted Containers:\n${deleted.join('\n')}\n\n`);
    ctx.stdout.write(`Total reclaimed space: ${humanSize(r.SpaceReclaimed ?? 0)}\n`);
    return 0;
  },
};

export const imagePruneVerb: VerbSpec = {
  usage: 'prune [OPTIONS]',
  summary: 'Remove unused images',
  flags: [{ long: 'all', short: 'a', kind: 'bool', help: 'Remove all unused images, not just dangling ones' }, filterFlag, forceFlag],
  args: { max: 0 },
  async run(ctx, flags) {
    const all = flags.bool('all');
    const warning = all ? 'WARNING! This will remove all images without at least one container associated to them.' : 'WARNING! This will remove all dangling images.';
    if (!flags.bool('force') && !(await confirm(ctx, warning))) return 0;
    const filters = parseFilterFlags(flags.list('filter'));
    filters.dangling = [all ? 'false' : 'true'];
    const r = await ctx.client().imagePrune(filters);
    const deleted = r.ImagesDeleted ?? [];
    if (deleted.length) {
      ctx.stdout.write('Deleted Images:\n');
      for (const d of deleted) ctx.stdout.write(d.Untagged ? `untagged: ${d.Untagged}\n` : `deleted: ${d.Deleted}\n`);
      ctx.stdout.write('\n');
    }
    ctx.stdout.write(`Total reclaimed space: ${humanSize(r.SpaceReclaimed ?? 0)}\n`);
    return 0;
  },
};
