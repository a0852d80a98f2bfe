// stop, restart, kill, rm, wait, rename: per-container actions, reported per item.
import type { VerbSpec } from '../command.js';
import { eachItem, reportItems } from './bulk.js';
import { DaemonError } from '../../client/errors.js';

const timeoutFlags = [
  { long: 'signal', short: 's', kind: 'string' as const, help: 'Signal to send to the container' },
  { long: 'timeout', short: 't', kind: 'int' as const, help: 'Seconds to wait before killing the container' },
  { long: 'time', kind: 'int' as const, help: 'Seconds to wait before killing the container (deprecated: use --timeout)', hidden: true },
];

/** stop and restart: the same flags, one request per container, reported per item. */
function timedVerb(verb: 'stop' | 'restart', summary: string, call: 'containerStop' | 'containerRestart'): VerbSpec {
  return {
    usage: `${verb} [OPTIONS] CONTAINER [CONTAINER...]`,
    summary,
    aliases: [`container ${verb}`, verb],
    flags: timeoutFlags,
    args: { min: 1 },
    async run(ctx, flags) {
      const t = flags.int('timeout') ?? flags.int('time');
      const signal = flags.string('signal');
      const reports = await eachItem(ctx, flags.args, async (c) => { await ctx.client()[call](c, { t, signal }); return c; });
      return reportItems(ctx, reports);
    },
  };
}

export const stopVerb = timedVerb('stop', 'Stop one or more running containers', 'containerStop');
export const restartVerb = timedVerb('restart', 'Restart one or more containers', 'containerRestart');

export const killVerb: VerbSpec = {
  usage: 'kill [OPTIONS] CONTAINER [CONTAINER...]',
  summary: 'Kill one or more running containers',
  aliases: ['container kill', 'kill'],
  flags: [{ long: 'signal', short: 's', kind: 'string', help: 'Signal to send to the container' }],
  args: { min: 1 },
  async run(ctx, flags) {
    const signal = flags.string('signal');
    const reports = await eachItem(ctx, flags.args, async (c) => { await ctx.client().containerKill(c, signal); return c; });
    return reportItems(ctx, reports);
  },
};

export const rmVerb: VerbSpec = {
  usage: 'rm [OPTIONS] CONTAINER [CONTAINER...]',
  summary: 'Remove one or more containers',
  aliases: ['container rm', 'container remove', 'rm'],
  flags: [
    { long: 'force', short: 'f', kind: 'bool', help: 'Force the removal of a running container (uses SIGKILL)' },
    { long: 'link', short: 'l', kind: 'bool', help: 'Remove the specified link' },
    { long: 'volumes', short: 'v', kind: 'bool', help: 'Remove anonymous volumes associated with the container' },
  ],
  args: { min: 1 },
  async run(ctx, flags) {
    const q = { force: flags.bool('force'), v: flags.bool('volumes'), link: flags.bool('link') };
    const reports = await eachItem(ctx, flags.args, async (c) => {
      try {
        await ctx.client().containerRemove(c, q);
      } catch (err) {
        // docker 28: with -f a container that is already gone is not an error (and prints nothing).
        if (q.force && err instanceof DaemonError && err.status === 404) return undefined;
        throw err;
      }
      return c;
    });
    return reportItems(ctx, reports);
  },
};

export const waitVerb: VerbSpec = {
  usage: 'wait CONTAINER [CONTAINER...]',
  summary: 'Block until one or more containers stop, then print their exit codes',
  aliases: ['container wait', 'wait'],
  flags: [],
  args: { min: 1 },
  async run(ctx, flags) {
    const reports = await eachItem(ctx, flags.args, async (c) => {
      const r = await ctx.client().containerWait(c);
      return String(r.StatusCode);
    });
    return reportItems(ctx, reports);
  },
};

export const renameVerb: VerbSpec = {
  usage: 'rename CONTAINER NEW_NAME',
  summary: 'Rename a container',
  aliases: ['container rename', 'rename'],
  flags: [],
  args: { exact: 2 },
  async run(ctx, flags) {
    const [oldName, newName] = flags.args;
    if (!newName.trim()) throw new Error('Error: Neither old nor new names may be empty');
    await ctx.client().containerRename(oldName, newName);
    return 0;
  },
};
