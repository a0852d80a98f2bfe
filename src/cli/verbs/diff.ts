// `berth diff`: the container's filesystem changes, `C`/`A`/`D` and the path, as docker prints them.
import type { VerbSpec } from '../command.js';

const KINDS = ['C', 'A', 'D'];

export const diffVerb: VerbSpec = {
  usage: 'diff CONTAINER',
  summary: "Inspect changes to files or directories on a container's filesystem",
  aliases: ['container diff', 'diff'],
  flags: [],
  args: { exact: 1 },
  async run(ctx, flags) {
    const changes = await ctx.client().containerChanges(flags.args[0]);
    for (const c of changes ?? []) ctx.stdout.write(`${KINDS[c.Kind] ?? '?'} ${c.Path}\n`);
    return 0;
  },
};
