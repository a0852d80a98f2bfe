// `berth network create|ls|inspect|rm|connect|disconnect|prune`, as docker 28 prints them.
import { keyValueMap } from './key-values.js';
import type { VerbSpec } from '../command.js';
import { renderList, resolveFormat } from '../format/formatter.js';
import { UsageError } from '../flags.js';
import { parseFilterFlags } from './filters.js';
import { eachItem, reportItems } from './bulk.js';
import { inspectEach } from './inspect.js';
import { confirm } from './prune.js';
import { encodeFilters } from '../../client/engine-client.js';
import { DaemonError } from '../../client/errors.js';

interface Network {
  Name: string;
  Id: string;
  Created: string;
  Scope: string;
  Driver: string;
  EnableIPv6: boolean;
  Internal: boolean;
  Labels: Record<string, string> | null;
}

const enc = encodeURIComponent;

export const networkCreateVerb: VerbSpec = {
  usage: 'create [OPTIONS] NETWORK',
  summary: 'Create a network',
  flags: [
    { long: 'attachable', kind: 'bool', help: 'Enable manual container attachment' },
    { long: 'driver', short: 'd', kind: 'string', help: 'Driver to manage the Network', defaultText: '"bridge"' },
    { long: 'gateway', kind: 'list', help: 'IPv4 or IPv6 Gateway for the master subnet' },
    { long: 'internal', kind: 'bool', help: 'Restrict external access to the network' },
    { long: 'ip-range', kind: 'list', help: 'Allocate container ip from a sub-range' },
    { long: 'ipam-driver', kind: 'string', help: 'IP Address Management Driver', defaultText: '"default"' },
    { long: 'ipv6', kind: 'bool', help: 'Enable or disable IPv6 networking' },
    { long: 'label', kind: 'list', help: 'Set metadata on a network' },
    { long: 'opt', short: 'o', kind: 'list', help: 'Set driver specific options', defaultText: 'map[]' },
    { long: 'subnet', kind: 'list', help: 'Subnet in CIDR format that represents a network segment' },
  ],
  args: { exact: 1 },
  async run(ctx, flags) {
    const subnets = flags.list('subnet');
    const gateways = flags.list('gateway');
    const ranges = flags.list('ip-range');
    if (gateways.length > subnets.length || ranges.length > subnets.length) throw new UsageError('every ip-range or gateway must have a corresponding subnet');
    const config = subnets.map((s, i) => ({ Subnet: s, ...(gateways[i] ? { Gateway: gateways[i] } : {}), ...(ranges[i] ? { IPRange: ranges[i] } : {}) }));
    const body = {
      Name: flags.args[0], Driver: flags.string('driver') ?? 'bridge', Internal: flags.bool('internal'), Attachable: flags.bool('attachable'),
      EnableIPv6: flags.bool('ipv6') || undefined, IPAM: { Driver: flags.string('ipam-driver') ?? 'default', Config: config, Options: {} },
      Options: keyValueMap(flags.list('opt')), Labels: keyValueMap(flags.list('label')),
    };
    const r = await ctx.client().transport.json<{ Id: string }>({ method: 'POST', path: '/networks/create', json: body });
    ctx.stdout.write(`${r.Id}\n`);
    return 0;
  },
};

const networkHeaders: Record<string, string> = {
  ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', IPv6: 'IPV6', Internal: 'INTERNAL', Labels: 'LABELS', CreatedAt: 'CREATED AT',
};

/** docker's networkContext: the fields `--format` can use. */
export class NetworkContext {
  constructor(private readonly n: Network, private readonly trunc: boolean) {}
  get ID(): string { return this.trunc ? this.n.Id.slice(0, 12) : this.n.Id; }
  get Name(): string { return this.n.Name; }
  get Driver(): string { return this.n.Driver; }
  get Scope(): string { return this.n.Scope; }
  get IPv6(): string { return String(!!this.n.EnableIPv6); }
  get Internal(): string { return String(!!this.n.Internal); }
  get Labels(): string { return Object.entries(this.n.Labels ?? {}).map(([k, v]) => `${k}=${v}`).join(','); }
  get CreatedAt(): string { return this.n.Created; }
  Label(name: string): string { return this.n.Labels?.[name] ?? ''; }
  toJSON(): Record<string, string> {
    return { CreatedAt: this.CreatedAt, Driver: this.Driver, ID: this.ID, IPv6: this.IPv6, Internal: this.Internal, Labels: this.Labels, Name: this.Name, Scope: this.Scope };
  }
}

export const networkLsVerb: VerbSpec = {
  usage: 'ls [OPTIONS]',
  summary: 'List networks',
  aliases: ['network ls', 'network list'],
  flags: [
    { long: 'filter', short: 'f', kind: 'list', valueName: 'filter', help: 'Provide filter values (e.g. "driver=bridge")' },
    { long: 'format', kind: 'string', help: 'Format output using a custom template' },
    { long: 'no-trunc', kind: 'bool', help: 'Do not truncate the output' },
    { long: 'quiet', short: 'q', kind: 'bool', help: 'Only display network IDs' },
  ],
  args: { max: 0 },
  async run(ctx, flags) {
    const filters = encodeFilters(parseFilterFlags(flags.list('filter')));
    const nets = await ctx.client().transport.json<Network[]>({ method: 'GET', path: '/networks', query: { filters } });
    nets.sort((a, b) => a.Name.localeCompare(b.Name));
    const format = resolveFormat(flags.string('format'), { defaultTable: 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}', quiet: '{{.ID}}', headers: networkHeaders }, flags.bool('quiet'));
    ctx.stdout.write(renderList(nets.map((n) => new NetworkContext(n, !flags.bool('no-trunc'))), format, networkHeaders, { template: { typeName: '*formatter.networkContext' } }));
    return 0;
  },
};

export const networkInspectVerb: VerbSpec = {
  usage: 'inspect [OPTIONS] NETWORK [NETWORK...]',
  summary: 'Display detailed information on one or more networks',
  flags: [
    { long: 'format', short: 'f', kind: 'string', help: "Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template." },
    { long: 'verbose', short: 'v', kind: 'bool', help: 'Verbose output for diagnostics' },
  ],
  args: { min: 1 },
  async run(ctx, flags) {
    return inspectEach(ctx, flags.args, flags.string('format'), (name) => ctx.client().transport.json({ method: 'GET', path: `/networks/${enc(name)}`, query: { verbose: flags.bool('verbose') || undefined } }));
  },
};

export const networkRmVerb: VerbSpec = {
  usage: 'rm NETWORK [NETWORK...]',
  summary: 'Remove one or more networks',
  aliases: ['network rm', 'network remove'],
  flags: [{ long: 'force', short: 'f', kind: 'bool', help: 'Do not error if the network does not exist' }],
  args: { min: 1 },
  async run(ctx, flags) {
    const force = flags.bool('force');
    const reports = await eachItem(ctx, flags.args, async (name) => {
      try {
        await ctx.client().transport.text({ method: 'DELETE', path: `/networks/${enc(name)}` });
      } catch (err) {
        if (force && err instanceof DaemonError && err.status === 404) return undefined;
        throw err;
      }
      return name;
    });
    return reportItems(ctx, reports);
  },
};

export const networkConnectVerb: VerbSpec = {
  usage: 'connect [OPTIONS] NETWORK CONTAINER',
  summary: 'Connect a container to a network',
  flags: [
    { long: 'alias', kind: 'list', help: 'Add network-scoped alias for the container' },
    { long: 'driver-opt', kind: 'list', help: 'driver options for the network' },
    { long: 'ip', kind: 'string', help: 'IPv4 address (e.g., "172.30.100.104")' },
    { long: 'ip6', kind: 'string', help: 'IPv6 address (e.g., "2001:db8::33")' },
    { long: 'link', kind: 'list', help: 'Add link to another container' },
  ],
  args: { exact: 2 },
  async run(ctx, flags) {
    const [net, container] = flags.args;
    const ip = flags.string('ip');
    const ip6 = flags.string('ip6');
    const ipam = ip || ip6 ? { IPAMConfig: { ...(ip ? { IPv4Address: ip } : {}), ...(ip6 ? { IPv6Address: ip6 } : {}) } } : {};
    const body = { Container: container, EndpointConfig: { Aliases: flags.list('alias'), ...ipam, DriverOpts: keyValueMap(flags.list('driver-opt')) } };
    await ctx.client().transport.text({ method: 'POST', path: `/networks/${enc(net)}/connect`, json: body });
    return 0;
  },
};

export const networkDisconnectVerb: VerbSpec = {
  usage: 'disconnect [OPTIONS] NETWORK CONTAINER',
  summary: 'Disconnect a container from a network',
  flags: [{ long: 'force', short: 'f', kind: 'bool', help: 'Force the container to disconnect from a network' }],
  args: { exact: 2 },
  async run(ctx, flags) {
    const [net, container] = flags.args;
    await ctx.client().transport.text({ method: 'POST', path: `/networks/${enc(net)}/disconnect`, json: { Container: container, Force: flags.bool('force') } });
    return 0;
  },
};

export const networkPruneVerb: VerbSpec = {
  usage: 'prune [OPTIONS]',
  summary: 'Remove all unused networks',
  flags: [
    { long: 'filter', kind: 'list', valueName: 'filter', help: 'Provide filter values (e.g. "until=<timestamp>")' },
    { long: 'force', short: 'f', kind: 'bool', help: 'Do not prompt for confirmation' },
  ],
  args: { max: 0 },
  async run(ctx, flags) {
    if (!flags.bool('force') && !(await confirm(ctx, 'WARNING! This will remove all custom networks not used by at least one container.'))) return 0;
    const filters = encodeFilters(parseFilterFlags(flags.list('filter')));
    const r = await ctx.client().transport.json<{ NetworksDeleted: string[] | null }>({ method: 'POST', path: '/networks/prune', query: { filters } });
    const deleted = r.NetworksDeleted ?? [];
    if (deleted.length) ctx.stdout.write(`Deleted Networks:\n${deleted.join('\n')}\n`);
    return 0;
  },
};
