// Read-only compose verbs: ps, ls, config, images, top, port.
import { stringify } from 'yaml';
import { nameOf, projectContainers, serviceOf } from '../../../compose/engine/containers.js';
import { LABEL } from '../../../compose/engine/labels.js';
import { notFound } from '../../../compose/errors.js';
import { writeAsync } from '../../command.js';
import { renderList, resolveFormat } from '../../format/formatter.js';
import { tabwrite } from '../../format/tabwriter.js';
import { humanDuration, humanSize } from '../../format/units.js';
import { ContainerContext } from '../ps-context.js';
import type { ComposeVerb } from './context.js';

const PS_TABLE = 'table {{.Name}}\t{{.Image}}\t{{.Command}}\t{{.Service}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}';
const PS_HEADERS = { Name: 'NAME', Image: 'IMAGE', Command: 'COMMAND', Service: 'SERVICE', RunningFor: 'CREATED', Status: 'STATUS', Ports: 'PORTS', ID: 'CONTAINER ID', State: 'STATE', Project: 'PROJECT' };

export const psVerb: ComposeVerb = {
  usage: 'ps [OPTIONS] [SERVICE...]',
  summary: 'List containers',
  flags: [
    { long: 'all', short: 'a', kind: 'bool', help: 'Show all stopped containers (including those created by the run command)' },
    { long: 'quiet', short: 'q', kind: 'bool', help: 'Only display IDs' },
    { long: 'services', kind: 'bool', help: 'Display services' },
    { long: 'format', kind: 'string', help: 'Format output using a custom template', defaultText: '"table"' },
    { long: 'status', kind: 'list', help: 'Filter services by status. Values: [paused | restarting | removing | running | dead | created | exited]' },
  ],
  async run(cc, flags) {
    const project = cc.projectName();
    let list = await projectContainers(cc.api, project, { services: flags.args, oneoff: flags.bool('all') ? 'all' : false, all: true });
    // Without -a, docker compose v2 lists running containers only.
    if (!flags.bool('all')) list = list.filter((c) => c.State === 'running' || c.State === 'restarting' || c.State === 'paused');
    const statuses = flags.list('status');
    if (statuses.length) list = list.filter((c) => statuses.includes(c.State));
    if (flags.bool('services')) { await writeAsync(cc.cli.stdout, [...new Set(list.map(serviceOf))].map((s) => `${s}\n`).join('')); return 0; }
    if (flags.bool('quiet')) { await writeAsync(cc.cli.stdout, list.map((c) => `${c.Id}\n`).join('')); return 0; }
    const now = cc.cli.now();
    const rows = list.map((c) => {
      const base = new ContainerContext(c, true, now);
      const command = new ContainerContext(c, false, now).Command;
      return {
        ID: base.ID, Name: nameOf(c), Image: c.Image, Command: command.length > 22 ? `${command.slice(0, 20)}…"` : command,
        Service: serviceOf(c), RunningFor: base.RunningFor, Status: c.Status, State: c.State, Ports: base.Ports, Project: project,
        Labels: base.Labels, Publishers: (c.Ports ?? []).map((p) => ({ URL: p.IP ?? '', TargetPort: p.PrivatePort, PublishedPort: p.PublicPort ?? 0, Protocol: p.Type })),
      };
    });
    const fmt = resolveFormat(flags.string('format'), { defaultTable: PS_TABLE, headers: PS_HEADERS });
    await writeAsync(cc.cli.stdout, renderList(rows, fmt, PS_HEADERS));
    return 0;
  },
};

export const lsVerb: ComposeVerb = {
  usage: 'ls [OPTIONS]',
  summary: 'List running compose projects',
  flags: [
    { long: 'all', short: 'a', kind: 'bool', help: 'Show all stopped Compose projects' },
    { long: 'quiet', short: 'q', kind: 'bool', help: 'Only display project names' },
    { long: 'format', kind: 'string', help: 'Format the output. Values: [table | json]', defaultText: '"table"' },
  ],
  args: { max: 0 },
  async run(cc, flags) {
    const all = await cc.api.containers({ label: [LABEL.project] }, true);
    const projects = new Map<string, { states: Map<string, number>; files: Set<string> }>();
    for (const c of all) {
      const p = c.Labels?.[LABEL.project] ?? '';
      const entry = projects.get(p) ?? { states: new Map(), files: new Set() };
      entry.states.set(c.State, (entry.states.get(c.State) ?? 0) + 1);
      const files = c.Labels?.[LABEL.configFiles];
      if (files) entry.files.add(files);
      projects.set(p, entry);
    }
    const rows = [...projects.entries()].sort(([a], [b]) => a.localeCompare(b))
      .filter(([, e]) => flags.bool('all') || e.states.has('running'))
      .map(([name, e]) => ({ Name: name, Status: [...e.states.entries()].map(([s, n]) => `${s}(${n})`).join(', '), ConfigFiles: [...e.files].join(',') }));
    if (flags.bool('quiet')) { await writeAsync(cc.cli.stdout, rows.map((r) => `${r.Name}\n`).join('')); return 0; }
    if (flags.string('format') === 'json') { await writeAsync(cc.cli.stdout, `${JSON.stringify(rows)}\n`); return 0; }
    await writeAsync(cc.cli.stdout, tabwrite(['NAME\tSTATUS\tCONFIG FILES', ...rows.map((r) => `${r.Name}\t${r.Status}\t${r.ConfigFiles}`)].join('\n') + '\n'));
    return 0;
  },
};

export const configVerb: ComposeVerb = {
  usage: 'config [OPTIONS] [SERVICE...]',
  summary: 'Parse, resolve and render compose file in canonical format',
  flags: [
    { long: 'format', kind: 'string', help: 'Format the output. Values: [yaml | json]', defaultText: '"yaml"' },
    { long: 'services', kind: 'bool', help: 'Print the service names, one per line.' },
    { long: 'volumes', kind: 'bool', help: 'Print the volume names, one per line.' },
    { long: 'networks', kind: 'bool', help: 'Print the network names, one per line.' },
    { long: 'profiles', kind: 'bool', help: 'Print the profile names, one per line.' },
    { long: 'images', kind: 'bool', help: 'Print the image names, one per line.' },
    { long: 'quiet', short: 'q', kind: 'bool', help: 'Only validate the configuration, don\'t print anything' },
    { long: 'hash', kind: 'string', help: 'Print the service config hash, one per line.' },
  ],
  async run(cc, flags) {
    const p = cc.project(flags.args);
    const out = (lines: string[]) => writeAsync(cc.cli.stdout, lines.map((l) => `${l}\n`).join(''));
    if (flags.bool('quiet')) return 0;
    if (flags.bool('services')) { await out(Object.keys(p.services)); return 0; }
    if (flags.bool('volumes')) { await out(Object.keys(p.volumes)); return 0; }
    if (flags.bool('networks')) { await out(Object.keys(p.networks)); return 0; }
    if (flags.bool('profiles')) { await out([...new Set([...Object.values(p.services), ...Object.values(p.disabledServices)].flatMap((s) => s.profiles))].sort()); return 0; }
    if (flags.bool('images')) { await out(Object.values(p.services).map((s) => s.image ?? `${p.name}-${s.name}`)); return 0; }
    const hash = flags.string('hash');
    if (hash !== undefined) {
      const { serviceHash } = await import('../../../compose/engine/labels.js');
      const names = hash === '*' ? Object.keys(p.services) : hash.split(',');
      await out(names.map((n) => { if (!p.services[n]) throw notFound(`no such service: ${n}`); return `${n} ${serviceHash(p.services[n])}`; }));
      return 0;
    }
    const services = flags.args.length ? Object.fromEntries(flags.args.map((n) => [n, p.services[n]])) : p.services;
    const model = { name: p.name, services, networks: p.networks, volumes: p.volumes, ...(Object.keys(p.secrets).length ? { secrets: p.secrets } : {}), ...(Object.keys(p.configs).length ? { configs: p.configs } : {}) };
    // JSON.parse(JSON.stringify()) drops undefined fields so the YAML holds only what is set.
    const clean = JSON.parse(JSON.stringify(model)) as unknown;
    await writeAsync(cc.cli.stdout, flags.string('format') === 'json' ? `${JSON.stringify(clean, null, 2)}\n` : stringify(clean));
    return 0;
  },
};

export const imagesVerb: ComposeVerb = {
  usage: 'images [OPTIONS] [SERVICE...]',
  summary: 'List images used by the created containers',
  flags: [{ long: 'quiet', short: 'q', kind: 'bool', help: 'Only display IDs' }],
  async run(cc, flags) {
    const list = await projectContainers(cc.api, cc.projectName(), { services: flags.args });
    const rows: string[] = ['CONTAINER\tREPOSITORY\tTAG\tPLATFORM\tIMAGE ID\tSIZE\tCREATED'];
    const ids: string[] = [];
    for (const c of list) {
      const img = await cc.api.imageInspect(c.ImageID ?? c.Image) as { Id: string; Size?: number; RepoTags?: string[]; Os?: string; Architecture?: string; Created?: string };
      const [repo, tag] = (img.RepoTags?.[0] ?? '<none>:<none>').split(/:(?=[^:/]*$)/);
      ids.push(img.Id);
      const created = img.Created ? `${humanDuration(cc.cli.now() - Date.parse(img.Created))} ago` : '';
      rows.push(`${nameOf(c)}\t${repo}\t${tag ?? '<none>'}\t${img.Os ?? 'linux'}/${img.Architecture ?? 'amd64'}\t${img.Id.replace(/^sha256:/, '').slice(0, 12)}\t${humanSize(img.Size ?? 0, 3)}\t${created}`);
    }
    await writeAsync(cc.cli.stdout, flags.bool('quiet') ? [...new Set(ids)].map((i) => `${i}\n`).join('') : tabwrite(rows.join('\n') + '\n', { minWidth: 20, padding: 1 }));
    return 0;
  },
};

export const topVerb: ComposeVerb = {
  usage: 'top [SERVICES...]',
  summary: 'Display the running processes',
  flags: [],
  async run(cc, flags) {
    const list = (await projectContainers(cc.api, cc.projectName(), { services: flags.args })).filter((c) => c.State === 'running');
    // One table for all containers, SERVICE and replica first, as docker compose v2 prints it.
    const rows: string[] = [];
    for (const c of list) {
      const top = await cc.api.top(c.Id);
      if (!rows.length) rows.push(['SERVICE', '#', ...top.Titles].join('\t'));
      for (const p of top.Processes) rows.push([serviceOf(c), c.Labels?.[LABEL.number] ?? '', ...p].join('\t'));
    }
    await writeAsync(cc.cli.stdout, rows.length ? tabwrite(rows.join('\n') + '\n', { minWidth: 4, padding: 2 }) : '');
    return 0;
  },
};

export const portVerb: ComposeVerb = {
  usage: 'port [OPTIONS] SERVICE PRIVATE_PORT',
  summary: 'Print the public port for a port binding',
  flags: [
    { long: 'index', kind: 'int', help: 'Index of the container if service has multiple replicas', defaultText: '1' },
    { long: 'protocol', kind: 'string', help: 'tcp or udp', defaultText: '"tcp"' },
  ],
  args: { min: 2, max: 2 },
  async run(cc, flags) {
    const [service, priv] = flags.args;
    const index = flags.int('index') ?? 1;
    const proto = flags.string('protocol') ?? 'tcp';
    const list = await projectContainers(cc.api, cc.projectName(), { services: [service] });
    const c = list.find((x) => Number(x.Labels?.[LABEL.number]) === index);
    if (!c) throw notFound(`service "${service}" is not running container #${index}`);
    const p = (c.Ports ?? []).find((x) => x.PrivatePort === Number(priv) && x.Type === proto && x.PublicPort);
    if (!p) throw notFound(`no port ${priv}/${proto} for container ${nameOf(c)}`);
    await writeAsync(cc.cli.stdout, `${p.IP || '0.0.0.0'}:${p.PublicPort}\n`);
    return 0;
  },
};
