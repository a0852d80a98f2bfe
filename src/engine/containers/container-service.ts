// Container service: create, start, stop, kill, wait, logs, attach, remove, and recovery after restart.
// (Filled in by the container work; this file is the seam the engine wires.)
import type { DaemonConfig } from '../../daemon/config.js';
import type { EventBus } from '../events.js';
import type { ImageProvider } from '../../images/types.js';

export interface ContainerServiceOptions {
  config: DaemonConfig;
  events: EventBus;
  images: ImageProvider;
}

export class ContainerService {
  constructor(readonly opts: ContainerServiceOptions) {}

  /** Loads containers from disk and reconciles them with the runtime (berthd restart). */
  async init(): Promise<void> {}

  /** Image IDs used by any container. */
  imagesInUse(): Set<string> {
    return new Set();
  }

  /** Counts for /info. */
  counts(): { total: number; running: number; paused: number; stopped: number } {
    return { total: 0, running: 0, paused: 0, stopped: 0 };
  }
}
