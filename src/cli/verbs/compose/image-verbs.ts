// Compose verbs about images: build, pull, push.
import { jsonLines } from '../../../client/transport.js';
import { selectServices } from '../../../compose/engine/graph.js';
import { buildService, pullImage } from '../../../compose/engine/images.js';
import { defaultImageName } from '../../../compose/engine/labels.js';
import { ComposeError } from '../../../compose/errors.js';
import type { ComposeVerb } from './context.js';

export const buildVerb: ComposeVerb = {
  usage: 'build [OPTIONS] [SERVICE...]',
  summary: 'Build or rebuild services',
  flags: [
    { long: 'no-cache', kind: 'bool', help: 'Do not use cache when building the image' },
    { long: 'quiet', short: 'q', kind: 'bool', help: "Don't print anything to STDOUT" },
  ],
  async run(cc, flags) {
    const project = cc.project(flags.args);
    for (const name of selectServices(project, flags.args, true)) {
      const svc = project.services[name];
      if (svc.build) await buildService(cc.api, project, svc, cc.progress, { noCache: flags.bool('no-cache'), quiet: flags.bool('quiet') });
    }
    return 0;
  },
};

export const pullVerb: ComposeVerb = {
  usage: 'pull [OPTIONS] [SERVICE...]',
  summary: 'Pull service images',
  flags: [
    { long: 'ignore-pull-failures', kind: 'bool', help: 'Pull what it can and ignores images with pull failures' },
    { long: 'ignore-buildable', kind: 'bool', help: 'Ignore images that can be built' },
    { long: 'quiet', short: 'q', kind: 'bool', help: 'Pull without printing progress information' },
  ],
  async run(cc, flags) {
    const project = cc.project(flags.args);
    for (const name of selectServices(project, flags.args, true)) {
      const svc = project.services[name];
      if (!svc.image || (svc.build && flags.bool('ignore-buildable'))) continue;
      try { await pullImage(cc.api, svc.image, cc.progress, name); } catch (err) {
        if (!flags.bool('ignore-pull-failures')) throw err;
        cc.progress.warn(`${name}: ${(err as Error).message}`);
      }
    }
    return 0;
  },
};

export const pushVerb: ComposeVerb = {
  usage: 'push [OPTIONS] [SERVICE...]',
  summary: 'Push service images',
  flags: [{ long: 'ignore-push-failures', kind: 'bool', help: 'Push what it can and ignores images with push failures' }],
  async run(cc, flags) {
    const project = cc.project(flags.args);
    for (const name of selectServices(project, flags.args, true)) {
      const svc = project.services[name];
      if (!svc.image) continue;
      const ref = defaultImageName(project.name, svc);
      cc.progress.event('Image', ref, 'Pushing');
      try {
        for await (const m of jsonLines<{ error?: string; errorDetail?: { message?: string } }>(await cc.api.imagePush(ref))) {
          if (m.error || m.errorDetail?.message) throw new ComposeError('failed', m.errorDetail?.message ?? m.error ?? 'push failed');
        }
        cc.progress.event('Image', ref, 'Pushed');
      } catch (err) {
        if (!flags.bool('ignore-push-failures')) throw err;
        cc.progress.warn(`${name}: ${(err as Error).message}`);
      }
    }
    return 0;
  },
};
