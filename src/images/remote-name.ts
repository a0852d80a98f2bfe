// A parsed reference split the way registries see it: the registry host and the repository path.
import { familiarName, familiarString, type ImageReference } from './reference.js';

export interface RemoteName {
  /** `docker.io`, `127.0.0.1:5000`. */
  registry: string;
  /** `library/busybox`, `team/app`. */
  repo: string;
  /** The familiar repository name (`busybox`, `127.0.0.1:5000/team/app`). */
  familiar: string;
}

export function remoteName(ref: ImageReference): RemoteName {
  const slash = ref.name.indexOf('/');
  return { registry: ref.name.slice(0, slash), repo: ref.name.slice(slash + 1), familiar: familiarName(ref.name) };
}

/** `busybox:latest`, `x@sha256:…`: the form Docker prints in Status lines. */
export function shownRef(ref: ImageReference): string {
  return familiarString(ref);
}
