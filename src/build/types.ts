// The builder's contract: typed build options (decoded at the API edge), the messages it streams (Docker's
// JSON stream shapes), and the narrow ports it needs from the engine to run RUN steps as real containers.
import type { ImageRunConfig } from '../model/image.js';
import type { Credentials } from '../registry/client/auth.js';

export interface BuildOptions {
  /** Path of the Dockerfile inside the context (Docker's `dockerfile` query), default `Dockerfile`. */
  dockerfile: string;
  tags: string[];
  /** `--build-arg`: a null value means "take it from the client's environment", which the client already did. */
  buildArgs: Record<string, string | null>;
  labels: Record<string, string>;
  target?: string;
  quiet: boolean;
  /** Remove intermediate containers after a successful build (default true). */
  rm: boolean;
  /** Remove intermediate containers always. */
  forceRm: boolean;
  noCache: boolean;
  pull: boolean;
  cacheFrom: string[];
  /** bridge (default), host, none, or a network name. */
  networkMode: string;
  platform?: string;
  extraHosts: string[];
  /** `remote`: a URL to fetch the context from (http/https tarball or Dockerfile). */
  remote?: string;
  /** X-Registry-Config: credentials by registry (`docker.io`, `127.0.0.1:5000`), for pulling FROM images. */
  registryAuth: Record<string, Credentials>;
}

/** One message of the build stream, as Docker writes them. */
export type BuildMessage =
  | { stream: string }
  | { aux: { ID: string } }
  | { errorDetail: { message: string; code?: number }; error: string }
  | { status: string; id?: string; progress?: string; progressDetail?: { current?: number; total?: number } };

/** Pulls FROM images (`--pull`, or a base image not present), its progress going into the build stream. */
export interface BuildPuller {
  pull(name: string, auth: Record<string, Credentials>, emit: (m: BuildMessage) => void): Promise<void>;
}

/** What a RUN step needs of a container. */
export interface StepContainerSpec {
  image: string;
  config: ImageRunConfig & { Entrypoint?: string[] | null; Cmd?: string[] | null };
  networkMode: string;
  extraHosts: string[];
}

export interface ContainerDiff {
  /** The container's writable layer (overlay upper). */
  upper: string;
  /** The image's layer directories, top-most first. */
  lowers: string[];
}

/** The engine side of the builder and of commit (implemented in src/engine/build-ports.ts). */
export interface BuildContainers {
  create(spec: StepContainerSpec): Promise<string>;
  /** Starts the container and resolves with its exit code; `onOutput` gets stdout (1) and stderr (2) as written. */
  run(id: string, onOutput: (stream: 1 | 2, data: Buffer) => void): Promise<number>;
  diff(ref: string): ContainerDiff & { id: string; image: string; config: ImageRunConfig; running: boolean; paused: boolean; name: string };
  /** Removes the container and its anonymous volumes. */
  remove(id: string): Promise<void>;
  setPaused(id: string, paused: boolean): Promise<void>;
}
