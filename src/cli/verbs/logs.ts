// `berth logs`: resolve the container first (as docker does) to learn whether it has a TTY, then copy
// the raw stream or split the multiplexed frames to stdout/stderr.
import type { VerbSpec } from '../command.js';
import { pumpOutput } from './attach-io.js';
import { getTimestamp } from './timestamps.js';

export const logsVerb: VerbSpec = {
  usage: 'logs [OPTIONS] CONTAINER',
  summary: 'Fetch the logs of a container',
  aliases: ['container logs', 'logs'],
  flags: [
    { long: 'details', kind: 'bool', help: 'Show extra details provided to logs' },
    { long: 'follow', short: 'f', kind: 'bool', help: 'Follow log output' },
    { long: 'since', kind: 'string', help: 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' },
    { long: 'tail', short: 'n', kind: 'string', help: 'Number of lines to show from the end of the logs', defaultText: '"all"' },
    { long: 'timestamps', short: 't', kind: 'bool', help: 'Show timestamps' },
    { long: 'until', kind: 'string', help: 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' },
  ],
  args: { exact: 1 },
  async run(ctx, flags) {
    const client = ctx.client();
    const info = await client.containerInspect(flags.args[0]);
    const now = ctx.now();
    const since = flags.string('since');
    const until = flags.string('until');
    const res = await client.containerLogs(info.Id, {
      stdout: true, stderr: true,
      follow: flags.bool('follow'),
      timestamps: flags.bool('timestamps'),
      since: since ? getTimestamp(since, now) : undefined,
      until: until ? getTimestamp(until, now) : undefined,
      tail: flags.string('tail') ?? 'all',
    });
    const contentType = String(res.headers['content-type'] ?? '');
    const raw = contentType.includes('raw-stream') || (!contentType.includes('multiplexed') && !!info.Config.Tty);
    await pumpOutput(res, raw, ctx.stdout, ctx.stderr);
    return 0;
  },
};
