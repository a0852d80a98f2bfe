// `berth export`: the container's filesystem as a tar, to -o FILE or a redirected stdout.
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { VerbSpec } from '../command.js';
import { ExitError } from '../command.js';

export const exportVerb: VerbSpec = {
  usage: 'export [OPTIONS] CONTAINER',
  summary: "Export a container's filesystem as a tar archive",
  aliases: ['container export', 'export'],
  flags: [{ long: 'output', short: 'o', kind: 'string', help: 'Write to a file, instead of STDOUT' }],
  args: { exact: 1 },
  async run(ctx, flags) {
    const out = flags.string('output');
    if (!out && ctx.stdout.isTTY) throw new ExitError('cowardly refusing to save to a terminal. Use the -o flag or redirect', 1);
    const res = await ctx.client().transport.request({ method: 'GET', path: `/containers/${encodeURIComponent(flags.args[0])}/export` });
    await pipeline(res, out ? createWriteStream(out) : ctx.stdout);
    return 0;
  },
};
