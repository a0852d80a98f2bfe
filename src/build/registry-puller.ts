// The builder's pull port over the daemon's registry client: a FROM image pulled as `docker pull` would
// (credentials from the build's X-Registry-Config, by registry), its progress as the build stream's lines.
import type { RegistryService } from '../images/image-registry.js';
import { parseReference } from '../images/reference.js';
import { remoteName } from '../images/remote-name.js';
import type { BuildPuller } from './types.js';

export function registryPuller(registry: RegistryService): BuildPuller {
  return {
    async pull(name, auth, emit) {
      const parsed = parseReference(name);
      const ref = parsed.tag === undefined && parsed.digest === undefined ? { ...parsed, tag: 'latest' } : parsed;
      const creds = auth[remoteName(ref).registry] ?? {};
      await registry.pull(ref, {
        creds,
        emit: (m) => {
          if (m.status === undefined) return;
          emit({ status: m.status, ...(m.id !== undefined ? { id: m.id } : {}), ...(m.progress !== undefined ? { progress: m.progress } : {}), ...(m.progressDetail ? { progressDetail: m.progressDetail } : {}) });
        },
      });
    },
  };
}
