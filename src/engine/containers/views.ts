// Docker's API shapes of a container: ContainerSummary (GET /containers/json) and
// ContainerInspectResponse (GET /containers/{id}/json), built from the stored record.
import { containerNetworks, networkSettingsView } from '../../network/network-views.js';
import { portsSummary } from '../../network/ports.js';
import type { ContainerPaths } from './paths.js';
import { ZERO_TIME, type ContainerRecord } from '../../model/container.js';
import { mountView } from './mounts.js';
import { humanDuration } from '../../util/human-duration.js';

export { humanDuration };

export function statusText(rec: ContainerRecord, now = Date.now()): string {
  const s = rec.State;
  switch (s.Status) {
    case 'running': return `Up ${humanDuration(now - Date.parse(s.StartedAt))}${healthSuffix(rec)}`;
    case 'paused': return `Up ${humanDuration(now - Date.parse(s.StartedAt))} (Paused)`;
    case 'restarting': return `Restarting (${s.ExitCode}) ${humanDuration(now - Date.parse(s.FinishedAt))} ago`;
    case 'removing': return 'Removal In Progress';
    case 'dead': return 'Dead';
    case 'exited':
      return s.FinishedAt === ZERO_TIME ? `Exited (${s.ExitCode})` : `Exited (${s.ExitCode}) ${humanDuration(now - Date.parse(s.FinishedAt))} ago`;
    default: return 'Created';
  }
}

/** ` (healthy)`, ` (unhealthy)`, ` (health: starting)` after `Up ...`, as Docker's ps shows it. */
function healthSuffix(rec: ContainerRecord): string {
  const h = rec.State.Health;
  if (!h) return '';
  return h.Status === 'starting' ? ' (health: starting)' : ` (${h.Status})`;
}

/** Docker's list `Command`: path, then args, an arg with a space wrapped in single quotes (as dockerd does). */
export function commandText(rec: ContainerRecord): string {
  const args = rec.Args.map((a) => (a.includes(' ') ? `'${a}'` : a));
  return args.length ? `${rec.Path} ${args.join(' ')}` : rec.Path;
}

function endpoint(): Record<string, unknown> {
  return {
    IPAMConfig: null, Links: null, Aliases: null, MacAddress: '', DriverOpts: null, GwPriority: 0, NetworkID: '',
    EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0, DNSNames: null,
  };
}

export function networksOf(rec: ContainerRecord): Record<string, unknown> {
  if (rec.NetworkSettings) return containerNetworks(rec);
  const mode = rec.HostConfig.NetworkMode ?? 'bridge';
  return { [mode]: endpoint() };
}

export function mountsOf(rec: ContainerRecord): Array<Record<string, unknown>> {
  if (rec.MountPoints) return rec.MountPoints.filter((m) => !m.Hidden).map(mountView);
  return (rec.HostConfig.Binds ?? []).map((b) => {
    const [src, dst, opts = ''] = b.split(':');
    return { Type: 'bind', Source: src, Destination: dst, Mode: opts, RW: !opts.split(',').includes('ro'), Propagation: 'rprivate' };
  });
}

export interface Sizes { SizeRw?: number; SizeRootFs?: number }

export function summaryView(rec: ContainerRecord, imageName: string, sizes: Sizes = {}): Record<string, unknown> {
  return {
    Id: rec.Id,
    Names: [rec.Name],
    Image: imageName,
    ImageID: rec.Image,
    Command: commandText(rec),
    Created: Math.floor(Date.parse(rec.Created) / 1000),
    Ports: portsSummary(rec.NetworkSettings?.Ports),
    ...sizes,
    Labels: rec.Config.Labels ?? {},
    State: rec.State.Status,
    Status: statusText(rec),
    HostConfig: { NetworkMode: rec.HostConfig.NetworkMode ?? 'bridge' },
    NetworkSettings: { Networks: networksOf(rec) },
    Mounts: mountsOf(rec),
  };
}

export function inspectView(rec: ContainerRecord, paths: ContainerPaths, sizes: Sizes = {}): Record<string, unknown> {
  const s = rec.State;
  const running = s.Status === 'running' || s.Status === 'paused';
  return {
    Id: rec.Id,
    Created: rec.Created,
    Path: rec.Path,
    Args: rec.Args,
    State: {
      Status: s.Status,
      // Docker counts a container waiting to restart as running (with no pid).
      Running: running || s.Status === 'restarting',
      Paused: s.Status === 'paused',
      Restarting: s.Status === 'restarting',
      OOMKilled: s.OOMKilled,
      Dead: s.Status === 'dead',
      Pid: running ? s.Pid : 0,
      ExitCode: s.ExitCode,
      Error: s.Error,
      StartedAt: s.StartedAt,
      FinishedAt: s.FinishedAt,
      ...(s.Health ? { Health: s.Health } : {}),
    },
    Image: rec.Image,
    ResolvConfPath: paths.resolvConf(rec.Id),
    HostnamePath: paths.hostname(rec.Id),
    HostsPath: paths.hosts(rec.Id),
    LogPath: paths.log(rec.Id),
    Name: rec.Name,
    RestartCount: rec.RestartCount,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: rec.HostConfig,
    GraphDriver: {
      Name: 'overlay2',
      Data: {
        LowerDir: rec.LayerDirs.join(':'),
        UpperDir: paths.upper(rec.Id),
        WorkDir: paths.work(rec.Id),
        MergedDir: paths.merged(rec.Id),
      },
    },
    ...sizes,
    Mounts: mountsOf(rec),
    Config: rec.Config,
    NetworkSettings: networkSettingsView(rec),
  };
}
