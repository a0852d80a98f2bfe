// `berth volume create|ls|inspect|rm|prune`, as docker 28 prints them.
import { keyValueMap } from './key-values.js';
import type { VerbSpec } from '../command.js';
import { renderList, resolveFormat } from '../format/formatter.js';
import { humanSize } from '../format/units.js';
import { UsageError } from '../flags.js';
import { parseFilterFlags } from './filters.js';
import { eachItem, reportItems } from './bulk.js';
import { inspectEach } from './inspect.js';
import { confirm } from './prune.js';
import { encodeFilters } from '../../client/engine-client.js';

interface Volume {
  Name: string;
  Driver: string;
  Mountpoint: string;
  CreatedAt?: string;
  Labels: Record<string, string> | null;
  Scope: string;
  Options: Record<string, string> | null;
  UsageData?: { Size: number; RefCount: number } | null;
}

const enc = encodeURIComponent;

export const volumeCreateVerb: VerbSpec = {
  usage: 'create [OPTIONS] [VOLUME]',
  summary: 'Create a volume',
  flags: [
    { long: 'driver', short: 'd', kind: 'string', help: 'Specify volume driver name', defaultText: '"local"' },
    { long: 'label', kind: 'list', help: 'Set metadata for a volume' },
    { long: 'name', kind: 'string', help: 'Specify volume name', hidden: true },
    { long: 'opt', short: 'o', kind: 'list', help: 'Set driver specific options', defaultText: 'map[]' },
  ],
  args: { max: 1 },
  async run(ctx, flags) {
    const flagName = flags.string('name');
    if (flagName && flags.args[0]) throw new UsageError(`conflicting options: either specify --name or provide positional arg, not both`);
    const body = { Name: flags.args[0] ?? flagName ?? '', Driver: flags.string('driver') ?? 'local', DriverOpts: keyValueMap(flags.list('opt')), Labels: keyValueMap(flags.list('label')) };
    const v = await ctx.client().transport.json<Volume>({ method: 'POST', path: '/volumes/create', json: body });
    ctx.stdout.write(`${v.Name}\n`);
    return 0;
  },
};

const volumeHeaders: Record<string, string> = {
  Name: 'VOLUME NAME', Driver: 'DRIVER', Scope: 'SCOPE', Mountpoint: 'MOUNTPOINT', Labels: 'LABELS', Links: 'LINKS', Size: 'SIZE',
  Group: 'GROUP', Availability: 'AVAILABILITY', Status: 'STATUS',
};

/** docker's volumeContext: the fields `--format` can use. */
export class VolumeContext {
  constructor(private readonly v: Volume) {}
  get Name(): string { return this.v.Name; }
  get Driver(): string { return this.v.Driver; }
  get Scope(): string { return this.v.Scope; }
  get Mountpoint(): string { return this.v.Mountpoint; }
  get Labels(): string { return Object.entries(this.v.Labels ?? {}).map(([k, val]) => `${k}=${val}`).join(','); }
  get Links(): string { return this.v.UsageData ? String(this.v.UsageData.RefCount) : 'N/A'; }
  get Size(): string { return this.v.UsageData && this.v.UsageData.Size >= 0 ? humanSize(this.v.UsageData.Size) : 'N/A'; }
  get Group(): string { return 'N/A'; }
  get Availability(): string { return 'N/A'; }
  get Status(): string { return 'N/A'; }
  Label(name: string): string { return this.v.Labels?.[name] ?? ''; }
  toJSON(): Record<string, string> {
    return {
      Availability: this.Availability, Driver: this.Driver, Group: this.Group, Labels: this.Labels, Links: this.Links,
      Mountpoint: this.Mountpoint, Name: this.Name, Scope: this.Scope, Size: this.Size, Status: this.Status,
    };
  }
}

export const volumeLsVerb: VerbSpec = {
  usage: 'ls [OPTIONS]',
  summary: 'List volumes',
  aliases: ['volume ls', 'volume list'],
  flags: [
    { long: 'cluster', kind: 'bool', help: 'Display only cluster volumes, and use cluster volume list formatting' },
    { long: 'filter', short: 'f', kind: 'list', valueName: 'filter', help: "Provide filter values (e.g. \"dangling=true\")" },
    { long: 'format', kind: 'string', help: 'Format output using a custom template' },
    { long: 'quiet', short: 'q', kind: 'bool', help: 'Only display volume names' },
  ],
  args: { max: 0 },
  async run(ctx, flags) {
    const filters = encodeFilters(parseFilterFlags(flags.list('filter')));
    const r = await ctx.client().transport.json<{ Volumes: Volume[] | null }>({ method: 'GET', path: '/volumes', query: { filters } });
    const vols = [...(r.Volumes ?? [])].sort((a, b) => a.Name.localeCompare(b.Name, undefined, { numeric: true }));
    const format = resolveFormat(flags.string('format'), { defaultTable: 'table {{.Driver}}\t{{.Name}}', quiet: '{{.Name}}', headers: volumeHeaders }, flags.bool('quiet'));
    ctx.stdout.write(renderList(vols.map((v) => new VolumeContext(v)), format, volumeHeaders, { template: { typeName: '*formatter.volumeContext' } }));
    return 0;
  },
};

export const volumeInspectVerb: VerbSpec = {
  usage: 'inspect [OPTIONS] VOLUME [VOLUME...]',
  summary: 'Display detailed information on one or more volumes',
  flags: [{ long: 'format', short: 'f', kind: 'string', help: "Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template." }],
  args: { min: 1 },
  async run(ctx, flags) {
    return inspectEach(ctx, flags.args, flags.string('format'), (name) => ctx.client().transport.json({ method: 'GET', path: `/volumes/${enc(name)}` }));
  },
};

export const volumeRmVerb: VerbSpec = {
  usage: 'rm [OPTIONS] VOLUME [VOLUME...]',
  summary: 'Remove one or more volumes',
  aliases: ['volume rm', 'volume remove'],
  flags: [{ long: 'force', short: 'f', kind: 'bool', help: 'Force the removal of one or more volumes' }],
  args: { min: 1 },
  async run(ctx, flags) {
    const force = flags.bool('force');
    const reports = await eachItem(ctx, flags.args, async (name) => {
      await ctx.client().transport.text({ method: 'DELETE', path: `/volumes/${enc(name)}`, query: { force: force || undefined } });
      return name;
    });
    return reportItems(ctx, reports);
  },
};

export const volumePruneVerb: VerbSpec = {
  usage: 'prune [OPTIONS]',
  summary: 'Remove unused local volumes',
  flags: [
    { long: 'all', short: 'a', kind: 'bool', help: 'Remove all unused volumes, not just anonymous ones' },
    { long: 'filter', kind: 'list', valueName: 'filter', help: 'Provide filter values (e.g. "label=<label>")' },
    { long: 'force', short: 'f', kind: 'bool', help: 'Do not prompt for confirmation' },
  ],
  args: { max: 0 },
  async run(ctx, flags) {
    const all = flags.bool('all');
    const warning = all
      ? 'WARNING! This will remove all local volumes not used by at least one container.'
      : 'WARNING! This will remove anonymous local volumes not used by at least one container.';
    if (!flags.bool('force') && !(await confirm(ctx, warning))) return 0;
    const filters = parseFilterFlags(flags.list('filter'));
    if (all) filters.all = ['true'];
    const r = await ctx.client().transport.json<{ VolumesDeleted: string[] | null; SpaceReclaimed: number }>({ method: 'POST', path: '/volumes/prune', query: { filters: encodeFilters(filters) } });
    const deleted = r.VolumesDeleted ?? [];
    if (deleted.length) ctx.stdout.write(`Deleted Volumes:\n${deleted.join('\n')}\n\n`);
    ctx.stdout.write(`Total reclaimed space: ${humanSize(r.SpaceReclaimed ?? 0)}\n`);
    return 0;
  },
};
