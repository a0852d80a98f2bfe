// The fields `berth ps --format` offers, computed as docker's ContainerContext does (truncation, quoted
// command, human "CREATED", ports, labels), and its JSON form for `--format json`.
import type { ContainerSummary, PortSummary } from '../../client/types.js';
import { ellipsis, goTimeString, truncateId } from '../format/formatter.js';
import { humanDuration, humanSize } from '../format/units.js';

export const psHeaders: Record<string, string> = {
  ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', CreatedAt: 'CREATED AT', RunningFor: 'CREATED',
  Ports: 'PORTS', Status: 'STATUS', Size: 'SIZE', Names: 'NAMES', Labels: 'LABELS', Mounts: 'MOUNTS',
  Networks: 'NETWORKS', LocalVolumes: 'LOCAL VOLUMES', State: 'STATE', Platform: 'PLATFORM',
};

export const PS_DEFAULT_TABLE = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';

/** Go's strconv.Quote for the strings commands usually hold. */
export function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u00([0-9a-f]{2})/g, '\\x$1').replace(/\\u007f/g, '\\x7f');
}

function displayPorts(ports: PortSummary[]): string {
  return ports.map((p) => (p.PublicPort ? `${p.IP ? (p.IP.includes(':') ? `[${p.IP}]` : p.IP) + ':' : ''}${p.PublicPort}->${p.PrivatePort}/${p.Type}` : `${p.PrivatePort}/${p.Type}`)).join(', ');
}

export class ContainerContext {
  constructor(private readonly c: ContainerSummary, private readonly trunc: boolean, private readonly nowMs: number) {}

  get ID(): string { return this.trunc ? truncateId(this.c.Id) : this.c.Id; }
  get Names(): string {
    const names = (this.c.Names ?? []).map((n) => n.replace(/^\//, ''));
    // Legacy link names (with more slashes) only show untruncated.
    return names.filter((n) => !this.trunc || !n.includes('/')).join(',');
  }
  get Image(): string {
    const img = this.c.Image ?? '';
    if (!img) return '<no image>';
    if (this.trunc) {
      if (this.c.ImageID && truncateId(this.c.ImageID) === truncateId(img)) return truncateId(img);
      const at = img.indexOf('@');
      if (at >= 0) return img.slice(0, at);
    }
    return img;
  }
  get Command(): string { return goQuote(this.trunc ? ellipsis(this.c.Command ?? '', 20) : this.c.Command ?? ''); }
  get CreatedAt(): string { return goTimeString(this.c.Created); }
  get RunningFor(): string { return `${humanDuration(this.nowMs - this.c.Created * 1000)} ago`; }
  get Ports(): string { return displayPorts(this.c.Ports ?? []); }
  get State(): string { return this.c.State; }
  get Status(): string { return this.c.Status; }
  get Size(): string {
    if (this.c.SizeRw === undefined && this.c.SizeRootFs === undefined) return '0B';
    const rw = humanSize(this.c.SizeRw ?? 0, 3);
    return this.c.SizeRootFs ? `${rw} (virtual ${humanSize(this.c.SizeRootFs, 3)})` : rw;
  }
  get Labels(): string {
    const l = this.c.Labels ?? {};
    return Object.keys(l).sort().map((k) => `${k}=${l[k]}`).join(',');
  }
  Label(name: unknown): string { return this.c.Labels?.[String(name)] ?? ''; }
  get Mounts(): string {
    return (this.c.Mounts ?? []).map((m) => {
      const name = m.Name || m.Source || '';
      return this.trunc ? ellipsis(name, 15) : name;
    }).join(',');
  }
  get LocalVolumes(): string { return String((this.c.Mounts ?? []).filter((m) => m.Type === 'volume').length); }
  get Networks(): string { return Object.keys(this.c.NetworkSettings?.Networks ?? {}).sort().join(','); }

  toJSON(): Record<string, string | null> {
    return {
      Command: this.Command, CreatedAt: this.CreatedAt, ID: this.ID, Image: this.Image, Labels: this.Labels,
      LocalVolumes: this.LocalVolumes, Mounts: this.Mounts, Names: this.Names, Networks: this.Networks,
      Platform: null, Ports: this.Ports, RunningFor: this.RunningFor, Size: this.Size, State: this.State, Status: this.Status,
    };
  }
}
