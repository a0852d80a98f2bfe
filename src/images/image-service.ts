// Image store service: resolve, list, inspect, tag, remove, load, save, import, history, prune.
// (Filled in by the images work; this file is the seam the engine wires.)
import type { EventBus } from '../engine/events.js';
import { notFound } from '../errors.js';
import type { ImageProvider, ImageRecord } from './types.js';

export interface ImageServiceOptions {
  /** Data root of berthd; the image store lives under it. */
  dataRoot: string;
  events: EventBus;
  /** IDs of images that containers (any state) use; removal of those needs force. */
  imagesInUse: () => Set<string>;
}

export class ImageService implements ImageProvider {
  constructor(readonly opts: ImageServiceOptions) {}

  async init(): Promise<void> {}

  async resolve(ref: string): Promise<ImageRecord> {
    throw notFound(`No such image: ${ref}`);
  }

  /** Number of images, for /info. */
  count(): number {
    return 0;
  }

  async layerDirs(_image: ImageRecord): Promise<string[]> {
    return [];
  }
}
