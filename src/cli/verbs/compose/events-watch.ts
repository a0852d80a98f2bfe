// `berth compose events` (the daemon's container events for this project, in docker compose's line
// format or --json) and `watch` (develop.watch: sync files into containers, restart, or rebuild and
// recreate, when files under a watched path change).
import { watch as fsWatch, statSync, type FSWatcher } from 'node:fs';
import { relative, join, posix } from 'node:path';
import tar from 'tar-stream';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { jsonLines } from '../../../client/transport.js';
import { nameOf, projectContainers } from '../../../compose/engine/containers.js';
import { convergeService } from '../../../compose/engine/converge.js';
import { buildService } from '../../../compose/engine/images.js';
import { LABEL } from '../../../compose/engine/labels.js';
import { invalidArgument } from '../../../compose/errors.js';
import type { Project, WatchRule } from '../../../compose/model/types.js';
import { writeAsync } from '../../command.js';
import type { ComposeContext, ComposeVerb } from './context.js';

interface EngineEvent { Type?: string; Action?: string; time?: number; timeNano?: number; Actor?: { ID?: string; Attributes?: Record<string, string> } }

export const eventsVerb: ComposeVerb = {
  usage: 'events [OPTIONS] [SERVICE...]',
  summary: 'Receive real time events from containers',
  flags: [{ long: 'json', kind: 'bool', help: 'Output events as a stream of json objects' }],
  async run(cc, flags) {
    const project = cc.projectName();
    const res = await cc.api.events({ type: ['container'], label: [`${LABEL.project}=${project}`] });
    const wanted = new Set(flags.args);
    for await (const e of jsonLines<EngineEvent>(res)) {
      const attrs = e.Actor?.Attributes ?? {};
      const service = attrs[LABEL.service] ?? '';
      if (wanted.size && !wanted.has(service)) continue;
      const time = new Date(Math.floor((e.timeNano ?? (e.time ?? 0) * 1e9) / 1e6)).toISOString();
      const id = e.Actor?.ID ?? '';
      const shown = Object.fromEntries(Object.entries(attrs).filter(([k]) => !k.startsWith('com.docker.compose.')));
      if (flags.bool('json')) {
        await writeAsync(cc.cli.stdout, `${JSON.stringify({ time, type: 'container', action: e.Action, id, service, attributes: shown })}\n`);
      } else {
        const a = Object.entries(shown).map(([k, v]) => `${k}=${v}`).join(', ');
        await writeAsync(cc.cli.stdout, `${time.replace('T', ' ').replace('Z', '')} container ${e.Action} ${id} (${a})\n`);
      }
    }
    return 0;
  },
};

/** A tar of one file for PUT /containers/{id}/archive (the target directory must exist). */
function singleFileTar(hostPath: string, name: string): Readable {
  const pack = tar.pack();
  const st = statSync(hostPath);
  const entry = pack.entry({ name, size: st.size, mode: st.mode & 0o7777, mtime: st.mtime }, () => pack.finalize());
  createReadStream(hostPath).pipe(entry);
  return pack as unknown as Readable;
}

async function syncFile(cc: ComposeContext, project: Project, service: string, rule: WatchRule, file: string): Promise<void> {
  if (!rule.target) throw invalidArgument(`services.${service}.develop.watch: sync needs a target`);
  const rel = relative(rule.path, file).split('\\').join('/');
  const dest = rel ? posix.join(rule.target, rel) : rule.target;
  for (const c of await projectContainers(cc.api, project.name, { services: [service], all: false })) {
    await cc.api.client.transport.text({
      method: 'PUT', path: `/containers/${encodeURIComponent(c.Id)}/archive`, query: { path: posix.dirname(dest) },
      body: singleFileTar(file, posix.basename(dest)), headers: { 'Content-Type': 'application/x-tar' },
    });
    cc.progress.event('Container', nameOf(c), 'Synced', dest);
  }
}

export const watchVerb: ComposeVerb = {
  usage: 'watch [SERVICE...]',
  summary: 'Watch build context for service and rebuild/refresh containers when files are updated',
  flags: [{ long: 'no-up', kind: 'bool', help: 'Do not build & start services before watching' }],
  async run(cc, flags) {
    const project = cc.project(flags.args);
    const services = (flags.args.length ? flags.args : Object.keys(project.services)).filter((s) => project.services[s]?.watch.length);
    if (!services.length) throw invalidArgument('none of the selected services is configured for watch, consider setting a \'develop\' section');
    if (!flags.bool('no-up')) { const { up } = await import('../../../compose/engine/up.js'); await up(cc.api, project, cc.progress, { services, detach: true }); }
    const watchers: FSWatcher[] = [];
    let busy = Promise.resolve();
    const onChange = (service: string, rule: WatchRule, file: string) => {
      if (rule.ignore.some((i) => relative(rule.path, file).startsWith(i))) return;
      busy = busy.then(async () => {
        const svc = project.services[service];
        if (rule.action === 'sync' || rule.action === 'sync+restart') await syncFile(cc, project, service, rule, file);
        if (rule.action === 'restart' || rule.action === 'sync+restart') {
          for (const c of await projectContainers(cc.api, project.name, { services: [service] })) { await cc.api.restart(c.Id); cc.progress.event('Container', nameOf(c), 'Restarted'); }
        }
        if (rule.action === 'rebuild') {
          await buildService(cc.api, project, svc, cc.progress, { quiet: true });
          await convergeService(cc.api, project, svc, cc.progress, {});
        }
      }).catch((err: Error) => { cc.cli.stderr.write(`${err.message}\n`); });
    };
    for (const service of services) {
      for (const rule of project.services[service].watch) {
        watchers.push(fsWatch(rule.path, { recursive: true }, (_e, name) => { if (name) onChange(service, rule, join(rule.path, name.toString())); }));
      }
    }
    cc.cli.stderr.write('Watch enabled\n');
    await new Promise<void>((resolve) => { process.once('SIGINT', resolve); process.once('SIGTERM', resolve); });
    for (const w of watchers) w.close();
    await busy;
    return 0;
  },
};
