// `berth port CONTAINER [PRIVATE_PORT[/PROTO]]`: the published ports of a container, as docker prints them.
import type { VerbSpec } from '../command.js';
import { ExitError } from '../command.js';

type Ports = Record<string, Array<{ HostIp: string; HostPort: string }> | null>;

/** Lines of `docker port`: `80/tcp -> 0.0.0.0:8080`, or only `0.0.0.0:8080` for one asked port. */
export function portLines(ports: Ports, wanted?: string): string[] {
  const fmt = (b: { HostIp: string; HostPort: string }) => `${b.HostIp.includes(':') ? `[${b.HostIp}]` : b.HostIp}:${b.HostPort}`;
  if (wanted) {
    const key = wanted.includes('/') ? wanted : `${wanted}/tcp`;
    return (ports[key] ?? []).map(fmt);
  }
  const keys = Object.keys(ports).sort((a, b) => parseInt(a, 10) - parseInt(b, 10) || a.localeCompare(b));
  return keys.flatMap((k) => (ports[k] ?? []).map((b) => `${k} -> ${fmt(b)}`));
}

export const portVerb: VerbSpec = {
  usage: 'port CONTAINER [PRIVATE_PORT[/PROTO]]',
  summary: 'List port mappings or a specific mapping for the container',
  flags: [],
  args: { min: 1, max: 2 },
  async run(ctx, flags) {
    const [ref, wanted] = flags.args;
    const c = await ctx.client().transport.json<{ Id: string; NetworkSettings?: { Ports?: Ports | null } }>({ method: 'GET', path: `/containers/${encodeURIComponent(ref)}/json` });
    const lines = portLines(c.NetworkSettings?.Ports ?? {}, wanted);
    if (wanted && !lines.length) throw new ExitError(`Error: No public port '${wanted.includes('/') ? wanted : `${wanted}/tcp`}' published for ${ref}`, 1);
    if (lines.length) ctx.stdout.write(lines.join('\n') + '\n');
    return 0;
  },
};
