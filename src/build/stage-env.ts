// What a stage gets from its build: the services, the shared cache and context, the options, the global
// build args, the images of the stages it names, its lane of the output, and its step numbers.
import type { ImageService } from '../images/image-service.js';
import type { ImageRecord } from '../model/image.js';
import type { Located } from './parser/instructions.js';
import type { GlobalArgs } from './build-args.js';
import type { BuildCache } from './cache.js';
import type { BuildContext } from './context/build-context.js';
import type { BuildContainers, BuildMessage, BuildOptions, BuildPuller } from './types.js';

export interface StageEnv {
  images: ImageService;
  containers: BuildContainers;
  /** Absent: no registry access (FROM takes local images only). */
  puller?: BuildPuller;
  cache: BuildCache;
  context: BuildContext;
  opts: BuildOptions;
  args: GlobalArgs;
  escape: string;
  tmpRoot: string;
  /** The image of an earlier stage named by `ref` (name or index), waiting for it; undefined when no stage has that name. */
  stageImage(ref: string, before: number): Promise<ImageRecord | undefined> | undefined;
  /** The local image `ref` (NotFound if unknown), held against `rmi` until the build ends. */
  leaseImage(ref: string): ImageRecord;
  out(m: BuildMessage): void;
  /** "Step N/M" for an instruction of this stage. */
  stepLabel(ins: Located): string;
  /** Containers to remove at the end of the build (or left for the user to inspect without --force-rm). */
  track(id: string, ok: boolean): void;
  extraSteps: Located[];
}

