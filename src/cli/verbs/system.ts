// version, info, system df.
import os from 'node:os';
import type { CliContext, VerbSpec } from '../command.js';
import type { DiskUsage, InfoResponse, VersionResponse } from '../../client/types.js';
import { CLIENT_API_VERSION } from '../../client/transport.js';
import { compileTemplate, renderList, resolveFormat } from '../format/formatter.js';
import { tabwrite } from '../format/tabwriter.js';
import { bytesSize, humanSize } from '../format/units.js';
import { ContainerContext, psHeaders } from './ps-context.js';
import { imageHeaders, imageRows } from './images.js';
import { ConnectError, DaemonError } from '../../client/errors.js';
import { ExitError } from '../command.js';
import { TemplateError } from '../format/template.js';

const CLIENT_VERSION = '0.1.0';
const goArch = () => (os.arch() === 'x64' ? 'amd64' : os.arch());

const line = (indent: number, label: string, value: unknown) => `${' '.repeat(indent)}${(label + ':').padEnd(20 - indent)}${value}\n`;

function clientVersion(): Record<string, string> {
  return { Version: CLIENT_VERSION, ApiVersion: CLIENT_API_VERSION, GoVersion: `node${process.versions.node}`, GitCommit: 'berth', BuildTime: '', Os: 'linux', Arch: goArch(), Context: 'default' };
}

/** docker's version template: the Engine component's Details carry what the server section shows. */
export function renderVersion(client: Record<string, string>, server: VersionResponse | undefined): string {
  let out = 'Client:\n';
  out += line(1, 'Version', client.Version) + line(1, 'API version', client.ApiVersion) + line(1, 'Go version', client.GoVersion)
    + line(1, 'Git commit', client.GitCommit) + line(1, 'Built', client.BuildTime ?? '') + line(1, 'OS/Arch', `${client.Os}/${client.Arch}`) + line(1, 'Context', client.Context);
  if (!server) return out;
  out += `\nServer:${server.Platform?.Name ? ` ${server.Platform.Name}` : ''}\n`;
  for (const c of server.Components ?? []) {
    out += ` ${c.Name}:\n`;
    out += line(2, 'Version', c.Version);
    const d = c.Details ?? {};
    if (c.Name === 'Engine') {
      out += line(2, 'API version', `${d.ApiVersion ?? ''} (minimum version ${d.MinAPIVersion ?? ''})`);
      out += line(2, 'Go version', d.GoVersion ?? '') + line(2, 'Git commit', d.GitCommit ?? '') + line(2, 'Built', d.BuildTime ?? '');
      out += line(2, 'OS/Arch', `${d.Os ?? ''}/${d.Arch ?? ''}`) + line(2, 'Experimental', d.Experimental ?? '');
    } else {
      for (const k of Object.keys(d).sort()) out += line(2, k, d[k]);
    }
  }
  return out;
}

/** Runs a template; on failure docker prints an empty line, then the error, and exits 1. */
function execOrBlank(ctx: CliContext, run: () => string): string {
  try { return run(); } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    ctx.stdout.write('\n');
    throw new ExitError(err.message, 1);
  }
}

/** Templates use the Go field name `.APIVersion` for the JSON key `ApiVersion`; JSON output keeps the latter. */
function withGoNames<T extends { ApiVersion?: string }>(v: T): T {
  const copy = { ...v };
  Object.defineProperty(copy, 'APIVersion', { value: v.ApiVersion, enumerable: false });
  return copy;
}

export const versionVerb: VerbSpec = {
  usage: 'version [OPTIONS]',
  summary: 'Show the Berth version information',
  flags: [{ long: 'format', short: 'f', kind: 'string', help: 'Format output using a custom template' }],
  args: { max: 0 },
  async run(ctx, flags) {
    const client = clientVersion();
    let server: VersionResponse | undefined;
    let failure: Error | undefined;
    try { server = await ctx.client().version(); } catch (err) { failure = err as Error; }
    const format = flags.string('format');
    if (format) {
      const tmpl = compileTemplate(format.trim() === 'json' ? '{{json .}}' : format, { template: { strictKeys: true, typeName: 'system.versionInfo', name: 'version' } });
      ctx.stdout.write(execOrBlank(ctx, () => tmpl.execute({ Client: withGoNames(client), Server: server ? withGoNames(server) : null })) + '\n');
    } else ctx.stdout.write(renderVersion(client, server));
    if (failure) throw failure;
    return 0;
  },
};

export function renderInfo(info: InfoResponse): string {
  let o = 'Server:\n';
  const p = (s: string) => { o += s + '\n'; };
  p(` Containers: ${info.Containers}`);
  p(`  Running: ${info.ContainersRunning}`);
  p(`  Paused: ${info.ContainersPaused}`);
  p(`  Stopped: ${info.ContainersStopped}`);
  p(` Images: ${info.Images}`);
  p(` Server Version: ${info.ServerVersion}`);
  p(` Storage Driver: ${info.Driver}`);
  for (const [k, v] of info.DriverStatus ?? []) p(`  ${k}: ${v}`);
  p(` Logging Driver: ${info.LoggingDriver ?? ''}`);
  p(` Cgroup Driver: ${info.CgroupDriver ?? ''}`);
  p(` Cgroup Version: ${info.CgroupVersion ?? ''}`);
  const plugins = (info.Plugins ?? {}) as Record<string, string[] | null>;
  p(' Plugins:');
  for (const k of ['Volume', 'Network', 'Log']) if (plugins[k]?.length) p(`  ${k}: ${plugins[k]!.join(' ')}`);
  const swarm = info.Swarm as { LocalNodeState?: string } | undefined;
  p(` Swarm: ${swarm?.LocalNodeState ?? 'inactive'}`);
  const runtimes = info.Runtimes ?? {};
  const names = Object.keys(runtimes).sort();
  p(` Runtimes: ${names.join(' ')}`);
  // Which runtimes actually work here (berthd probes them: status.usable / reason / version).
  for (const n of names) {
    const st = runtimes[n].status ?? {};
    const usable = st.usable === undefined ? 'unknown' : st.usable === 'true' ? 'usable' : 'unusable';
    const detail = st.reason ?? st.version;
    p(`  ${n}: ${usable}${detail ? ` (${detail})` : ''}`);
  }
  p(` Default Runtime: ${info.DefaultRuntime ?? ''}`);
  const commit = (k: string) => ((info[k] as { ID?: string } | undefined)?.ID ?? '');
  p(` Init Binary: ${info.InitBinary ?? ''}`);
  p(` containerd version: ${commit('ContainerdCommit')}`);
  p(` runc version: ${commit('RuncCommit')}`);
  p(` init version: ${commit('InitCommit')}`);
  const secopts = (info.SecurityOptions ?? []) as string[];
  if (secopts.length) { p(' Security Options:'); for (const s of secopts) p(`  ${s.replace(/^name=/, '')}`); }
  p(` Kernel Version: ${info.KernelVersion ?? ''}`);
  p(` Operating System: ${info.OperatingSystem ?? ''}`);
  p(` OSType: ${info.OSType ?? ''}`);
  p(` Architecture: ${info.Architecture ?? ''}`);
  p(` CPUs: ${info.NCPU ?? ''}`);
  p(` Total Memory: ${bytesSize(Number(info.MemTotal ?? 0))}`);
  p(` Name: ${info.Name ?? ''}`);
  p(` ID: ${info.ID ?? ''}`);
  p(` Docker Root Dir: ${info.DockerRootDir ?? ''}`);
  p(` Debug Mode: ${info.Debug ? 'true' : 'false'}`);
  p(` Experimental: ${info.ExperimentalBuild ? 'true' : 'false'}`);
  const reg = info.RegistryConfig as { InsecureRegistryCIDRs?: string[] } | undefined;
  if (reg?.InsecureRegistryCIDRs?.length) { p(' Insecure Registries:'); for (const r of reg.InsecureRegistryCIDRs) p(`  ${r}`); }
  p(` Live Restore Enabled: ${info.LiveRestoreEnabled ? 'true' : 'false'}`);
  return o + '\n';
}

export const infoVerb: VerbSpec = {
  usage: 'info [OPTIONS]',
  summary: 'Display system-wide information',
  aliases: ['system info', 'info'],
  flags: [{ long: 'format', short: 'f', kind: 'string', help: 'Format output using a custom template' }],
  args: { max: 0 },
  async run(ctx, flags) {
    const format = flags.string('format');
    let info: InfoResponse | undefined;
    let failure: Error | undefined;
    try { info = await ctx.client().info(); } catch (err) { failure = err as Error; }
    if (format) {
      if (failure) throw failure;
      const tmpl = compileTemplate(format.trim() === 'json' ? '{{json .}}' : format, { template: { strictKeys: true, typeName: 'system.dockerInfo' } });
      ctx.stdout.write(execOrBlank(ctx, () => tmpl.execute(info)) + '\n');
      return 0;
    }
    ctx.stdout.write(`Client:\n Version:    ${CLIENT_VERSION}\n Context:    default\n Debug Mode: false\n\n`);
    if (failure) {
      if (failure instanceof ConnectError || failure instanceof DaemonError) throw new ExitError(`Server:\n${failure.message}`, 1);
      throw failure;
    }
    ctx.stdout.write(renderInfo(info!));
    for (const w of (info!.Warnings ?? []) as string[]) ctx.stderr.write(`${w}\n`);
    return 0;
  },
};

const pct = (part: number, total: number) => (total > 0 ? `${humanSize(part)} (${Math.trunc((part * 100) / total)}%)` : humanSize(part));
const isActive = (state: string) => /running|paused|restarting/.test(state);

export function dfSummary(du: DiskUsage): string {
  const images = du.Images ?? [];
  const containers = du.Containers ?? [];
  const volumes = du.Volumes ?? [];
  const cache = du.BuildCache ?? [];
  const layers = du.LayersSize ?? 0;
  let usedByImages = 0;
  for (const i of images) if ((i.Containers ?? 0) > 0 && i.Size !== -1 && (i.SharedSize ?? 0) !== -1) usedByImages += i.Size - (i.SharedSize ?? 0);
  const cSize = containers.reduce((n, c) => n + (c.SizeRw ?? 0), 0);
  const cReclaim = containers.filter((c) => !isActive(c.State)).reduce((n, c) => n + (c.SizeRw ?? 0), 0);
  const vSize = volumes.reduce((n, v) => n + Math.max(0, v.UsageData?.Size ?? 0), 0);
  const vReclaim = volumes.filter((v) => (v.UsageData?.RefCount ?? 0) === 0).reduce((n, v) => n + Math.max(0, v.UsageData?.Size ?? 0), 0);
  const bSize = cache.reduce((n, b) => n + b.Size, 0);
  const bReclaim = cache.filter((b) => !b.InUse && !b.Shared).reduce((n, b) => n + b.Size, 0);
  const rows = [
    'TYPE\tTOTAL\tACTIVE\tSIZE\tRECLAIMABLE',
    `Images\t${images.length}\t${images.filter((i) => (i.Containers ?? 0) > 0).length}\t${humanSize(layers)}\t${pct(layers - usedByImages, layers)}`,
    `Containers\t${containers.length}\t${containers.filter((c) => isActive(c.State)).length}\t${humanSize(cSize)}\t${pct(cReclaim, cSize)}`,
    `Local Volumes\t${volumes.length}\t${volumes.filter((v) => (v.UsageData?.RefCount ?? 0) > 0).length}\t${humanSize(vSize)}\t${pct(vReclaim, vSize)}`,
    `Build Cache\t${cache.length}\t${cache.filter((b) => b.InUse).length}\t${humanSize(bSize)}\t${humanSize(bReclaim)}`,
  ];
  return tabwrite(rows.join('\n') + '\n');
}

function dfVerbose(du: DiskUsage, now: number): string {
  const imgTable = resolveFormat('table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}', { defaultTable: '', headers: imageHeaders });
  const imgs = (du.Images ?? []).flatMap((i) => imageRows(i, false, true, now));
  const cTable = resolveFormat('table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}', { defaultTable: '', headers: psHeaders });
  const cs = (du.Containers ?? []).map((c) => new ContainerContext({ ...c, SizeRootFs: undefined }, true, now));
  const vols = (du.Volumes ?? []).map((v) => `${v.Name}\t${v.UsageData?.RefCount ?? 0}\t${humanSize(Math.max(0, v.UsageData?.Size ?? 0))}`);
  const cacheSize = (du.BuildCache ?? []).reduce((n, b) => n + b.Size, 0);
  return `Images space usage:\n\n${renderList(imgs, imgTable, imageHeaders)}\nContainers space usage:\n\n${renderList(cs, cTable, psHeaders)}\nLocal Volumes space usage:\n\n${tabwrite(['VOLUME NAME\tLINKS\tSIZE', ...vols].join('\n') + '\n')}\nBuild cache usage: ${humanSize(cacheSize)}\n\n${tabwrite('CACHE ID\tCACHE TYPE\tSIZE\tCREATED\tLAST USED\tUSAGE\tSHARED\n')}`;
}

export const dfVerb: VerbSpec = {
  usage: 'df [OPTIONS]',
  summary: 'Show docker disk usage',
  flags: [
    { long: 'format', kind: 'string', help: 'Format output using a custom template' },
    { long: 'verbose', short: 'v', kind: 'bool', help: 'Show detailed information on space usage' },
  ],
  args: { max: 0 },
  async run(ctx: CliContext, flags) {
    const du = await ctx.client().diskUsage();
    ctx.stdout.write(flags.bool('verbose') ? dfVerbose(du, ctx.now()) : dfSummary(du));
    return 0;
  },
};
