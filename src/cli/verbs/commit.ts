// `berth commit`: a container's changes as a new image (POST /commit), prints the new image's ID.
import type { VerbSpec } from '../command.js';

export const commitVerb: VerbSpec = {
  usage: 'commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
  summary: "Create a new image from a container's changes",
  aliases: ['container commit', 'commit'],
  flags: [
    { long: 'author', short: 'a', kind: 'string', help: 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")' },
    { long: 'change', short: 'c', kind: 'list', help: 'Apply Dockerfile instruction to the created image' },
    { long: 'message', short: 'm', kind: 'string', help: 'Commit message' },
    { long: 'pause', short: 'p', kind: 'string', help: 'Pause container during commit (default true)' },
  ],
  args: { min: 1, max: 2 },
  async run(ctx, flags) {
    const [container, ref] = flags.args;
    const pause = flags.string('pause');
    const res = await ctx.client().transport.json<{ Id: string }>({
      method: 'POST', path: '/commit',
      query: { container, repo: ref, comment: flags.string('message'), author: flags.string('author'), changes: flags.list('change'), pause: pause === 'false' || pause === '0' ? '0' : '1' },
    });
    ctx.stdout.write(`${res.Id}\n`);
    return 0;
  },
};
