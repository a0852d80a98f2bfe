// Wiring of the engine services; the only place that knows how they depend on each other.
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { writeFileAtomicSync } from '../util/atomic-file.js';
import type { DaemonConfig } from '../daemon/config.js';
import { EventBus } from './events.js';
import { ImageService } from '../images/image-service.js';
import { ContainerService } from './containers/container-service.js';

export class Engine {
  readonly events = new EventBus();
  readonly images: ImageService;
  readonly containers: ContainerService;
  readonly startedAt = new Date();
  /** Stable ID of this engine's data root, as Docker's `ID` in /info. */
  instanceId = '';

  constructor(readonly config: DaemonConfig) {
    let containers: ContainerService | undefined;
    this.images = new ImageService({
      dataRoot: config.dataRoot,
      events: this.events,
      imagesInUse: () => containers?.imagesInUse() ?? new Set(),
      // Docker's rmi messages name a container that uses the image.
      imageUsers: (id) => containers?.imageUsers(id) ?? [],
      seedBusybox: config.seedBusybox,
    });
    containers = new ContainerService({ config, events: this.events, images: this.images });
    this.containers = containers;
  }

  async init(): Promise<void> {
    mkdirSync(this.config.dataRoot, { recursive: true, mode: 0o711 });
    mkdirSync(this.config.execRoot, { recursive: true, mode: 0o700 });
    const idFile = join(this.config.dataRoot, 'engine-id');
    if (!existsSync(idFile)) writeFileAtomicSync(idFile, randomUUID().toUpperCase());
    this.instanceId = readFileSync(idFile, 'utf8').trim();
    await this.images.init();
    await this.containers.init();
  }
}
