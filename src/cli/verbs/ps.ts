// `berth ps` / `berth container ls`.
import type { VerbSpec } from '../command.js';
import { renderList, resolveFormat } from '../format/formatter.js';
import { parseFilterFlags } from './filters.js';
import { ContainerContext, psHeaders, PS_DEFAULT_TABLE } from './ps-context.js';

export const psVerb: VerbSpec = {
  usage: 'ps [OPTIONS]',
  summary: 'List containers',
  aliases: ['container ls', 'container list', 'container ps', 'ps'],
  flags: [
    { long: 'all', short: 'a', kind: 'bool', help: 'Show all containers (default shows just running)' },
    { long: 'filter', short: 'f', kind: 'list', valueName: 'filter', help: 'Filter output based on conditions provided' },
    { long: 'format', kind: 'string', help: "Format output using a custom template:\n'table':            Print output in table format with column headers (default)\n'table TEMPLATE':   Print output in table format using the given Go template\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template." },
    { long: 'last', short: 'n', kind: 'int', help: 'Show n last created containers (includes all states)', defaultText: '-1' },
    { long: 'latest', short: 'l', kind: 'bool', help: 'Show the latest created container (includes all states)' },
    { long: 'no-trunc', kind: 'bool', help: "Don't truncate output" },
    { long: 'quiet', short: 'q', kind: 'bool', help: 'Only display container IDs' },
    { long: 'size', short: 's', kind: 'bool', help: 'Display total file sizes' },
  ],
  args: { max: 0 },
  async run(ctx, flags) {
    let limit = flags.int('last') ?? -1;
    if (flags.bool('latest')) limit = 1;
    const format = flags.string('format');
    const size = flags.bool('size') || (!!format && format.includes('.Size'));
    const containers = await ctx.client().containerList({
      all: flags.bool('all') || limit !== -1,
      limit: limit > 0 ? limit : undefined,
      size,
      filters: parseFilterFlags(flags.list('filter')),
    });
    const table = flags.bool('size') && (!format || format === 'table') ? `${PS_DEFAULT_TABLE}\t{{.Size}}` : PS_DEFAULT_TABLE;
    const resolved = resolveFormat(format, { defaultTable: table, quiet: '{{.ID}}', headers: psHeaders }, flags.bool('quiet'));
    const now = ctx.now();
    const rows = containers.map((c) => new ContainerContext(c, !flags.bool('no-trunc'), now));
    ctx.stdout.write(renderList(rows, resolved, psHeaders, { style: 'ps', template: { typeName: '*formatter.ContainerContext' } }));
    return 0;
  },
};
