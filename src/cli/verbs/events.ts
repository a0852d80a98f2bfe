// `berth events`: the daemon's event stream, printed as docker's prettyPrintEvent or through --format.
import type { VerbSpec } from '../command.js';
import type { EventMessage } from '../../client/types.js';
import { textLines } from '../../client/transport.js';
import { compileTemplate, rfc3339NanoFixed } from '../format/formatter.js';
import { parseFilterFlags } from './filters.js';
import { getTimestamp } from './timestamps.js';

/** timeNano has 19 digits: more than a double holds, so it is read from the raw text. */
export function exactTimeNano(line: string): bigint | undefined {
  const m = /"timeNano"\s*:\s*(\d+)/.exec(line);
  return m ? BigInt(m[1]) : undefined;
}

/** events.Message as Go marshals it: struct field order, empty legacy fields omitted, attributes sorted. */
export function goEventJson(e: EventMessage, timeNano?: bigint): string {
  const attrs = e.Actor?.Attributes ?? {};
  const sorted = Object.fromEntries(Object.keys(attrs).sort().map((k) => [k, attrs[k]]));
  const out: Record<string, unknown> = {};
  if (e.status) out.status = e.status;
  if (e.id) out.id = e.id;
  if (e.from) out.from = e.from;
  Object.assign(out, { Type: e.Type, Action: e.Action, Actor: { ID: e.Actor?.ID ?? '', Attributes: sorted }, scope: e.scope, time: e.time, timeNano: '\u0000TN' });
  return JSON.stringify(out).replace('"\\u0000TN"', String(timeNano ?? e.timeNano ?? 0));
}

export function prettyEvent(e: EventMessage, timeNano?: bigint): string {
  let s = '';
  if (timeNano || e.timeNano) s += `${rfc3339NanoFixed(timeNano ?? BigInt(e.timeNano!))} `;
  else if (e.time) s += `${rfc3339NanoFixed(BigInt(e.time) * 1000000000n)} `;
  s += `${e.Type} ${e.Action} ${e.Actor?.ID ?? ''}`;
  const attrs = e.Actor?.Attributes ?? {};
  const keys = Object.keys(attrs).sort();
  if (keys.length) s += ` (${keys.map((k) => `${k}=${attrs[k]}`).join(', ')})`;
  return s + '\n';
}

export const eventsVerb: VerbSpec = {
  usage: 'events [OPTIONS]',
  summary: 'Get real time events from the server',
  aliases: ['system events', 'events'],
  flags: [
    { long: 'filter', short: 'f', kind: 'list', valueName: 'filter', help: 'Filter output based on conditions provided' },
    { long: 'format', kind: 'string', help: 'Format output using a custom template' },
    { long: 'since', kind: 'string', help: 'Show all events created since timestamp' },
    { long: 'until', kind: 'string', help: 'Stream events until this timestamp' },
  ],
  args: { max: 0 },
  async run(ctx, flags) {
    const format = flags.string('format');
    const tmpl = format ? compileTemplate(format.trim() === 'json' ? '{{json .}}' : format.replace(/\\t/g, '\t').replace(/\\n/g, '\n')) : undefined;
    const now = ctx.now();
    const since = flags.string('since');
    const until = flags.string('until');
    const res = await ctx.client().events({
      since: since ? getTimestamp(since, now) : undefined,
      until: until ? getTimestamp(until, now) : undefined,
      filters: parseFilterFlags(flags.list('filter')),
    });
    // `{{json .}}` prints the daemon's own line, so 19-digit timeNano values stay exact.
    const wholeJson = !!tmpl && tmpl.source.trim() === '{{json .}}';
    for await (const line of textLines(res)) {
      const e = JSON.parse(line) as EventMessage;
      if (wholeJson) { ctx.stdout.write(goEventJson(e, exactTimeNano(line)) + '\n'); continue; }
      ctx.stdout.write(tmpl ? tmpl.execute(e) + '\n' : prettyEvent(e, exactTimeNano(line)));
    }
    return 0;
  },
};
