// Images for services: built through POST /build (the classic builder's API) when the service has a
// build section and the image is missing or --build asks, pulled through POST /images/create otherwise.
import { resolve } from 'node:path';
import { jsonLines } from '../../client/transport.js';
import { ComposeError, invalidArgument } from '../errors.js';
import type { Project, ServiceConfig } from '../model/types.js';
import type { ComposeApi } from './api.js';
import { packContext } from './build-context.js';
import { defaultImageName, LABEL } from './labels.js';
import type { Progress } from './progress.js';

interface JsonMessage { stream?: string; status?: string; id?: string; error?: string; errorDetail?: { message?: string }; aux?: { ID?: string } }

async function consume(res: AsyncIterable<JsonMessage>, onStream: (s: string) => void): Promise<void> {
  for await (const m of res) {
    if (m.error || m.errorDetail?.message) throw new ComposeError('failed', m.errorDetail?.message ?? m.error ?? 'failed');
    if (m.stream) onStream(m.stream);
  }
}

export async function buildService(api: ComposeApi, project: Project, svc: ServiceConfig, progress: Progress, opts: { noCache?: boolean; quiet?: boolean } = {}): Promise<string> {
  const b = svc.build;
  if (!b) throw invalidArgument(`service ${svc.name} has no build section`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(b.context) || b.context.startsWith('git@')) throw invalidArgument(`services.${svc.name}.build.context: remote build contexts are not supported by berth compose`);
  const tag = defaultImageName(project.name, svc);
  progress.event('Service', svc.name, 'Building');
  const context = packContext(resolve(b.context), b.dockerfile);
  const res = await api.build(context, {
    t: tag, dockerfile: b.dockerfile, target: b.target, rm: true, forcerm: true, nocache: opts.noCache || b.no_cache || undefined,
    buildargs: Object.keys(b.args).length ? JSON.stringify(b.args) : undefined,
    labels: JSON.stringify({ ...b.labels, [LABEL.project]: project.name, [LABEL.service]: svc.name }),
    networkmode: b.network, shmsize: b.shm_size !== undefined ? String(b.shm_size) : undefined,
    extrahosts: b.extra_hosts?.length ? b.extra_hosts.join(',') : undefined,
  });
  await consume(jsonLines<JsonMessage>(res), (s) => { if (!opts.quiet) progress.text(s); });
  progress.event('Service', svc.name, 'Built');
  return tag;
}

export async function pullImage(api: ComposeApi, ref: string, progress: Progress, service: string): Promise<void> {
  progress.event('Image', ref, 'Pulling');
  const res = await api.imagePull(ref);
  await consume(jsonLines<JsonMessage>(res), () => undefined);
  progress.event('Image', ref, 'Pulled');
  void service;
}

/** Makes sure every selected service has its image: build (missing or forced) or pull (missing or policy always). */
export async function ensureImages(api: ComposeApi, project: Project, services: string[], progress: Progress, opts: { build?: boolean; noBuild?: boolean; pull?: string }): Promise<void> {
  for (const name of services) {
    const svc = project.services[name];
    const ref = defaultImageName(project.name, svc);
    const exists = await api.imageExists(ref);
    const policy = opts.pull ?? svc.pull_policy;
    if (svc.build && !opts.noBuild && (opts.build || policy === 'build' || !exists)) {
      await buildService(api, project, svc, progress);
      continue;
    }
    if (policy === 'never' && !exists) throw invalidArgument(`image ${ref} not found and pull_policy is never`);
    if (!exists || policy === 'always') {
      if (svc.build && opts.noBuild) throw invalidArgument(`image ${ref} not found and --no-build was given`);
      await pullImage(api, ref, progress, name);
    }
  }
}
