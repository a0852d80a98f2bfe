// Wiring of the engine services; the only place that knows how they depend on each other.
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { writeFileAtomicSync } from '../util/atomic-file.js';
import type { EngineOptions } from './options.js';
import { EventBus } from '../model/events.js';
import { ImageService } from '../images/image-service.js';
import { ContainerService } from './containers/container-service.js';
import { NetworkService } from '../network/network-service.js';
import { ExecService } from './exec/exec-service.js';
import { VolumeService } from '../volumes/volume-service.js';
import { ContainerMounts } from './containers/container-mounts.js';
import { HealthMonitor } from './health/health-monitor.js';
import { StatsService } from './stats/stats-service.js';
import { UpdateService } from './limits/update-service.js';
import { LogRotator } from './logs/log-rotator.js';
import { RegistryService } from '../images/image-registry.js';

export class Engine {
  readonly events = new EventBus();
  readonly images: ImageService;
  /** Pull, push, login, search against registries. */
  readonly registry: RegistryService;
  readonly containers: ContainerService;
  readonly networks: NetworkService;
  readonly exec: ExecService;
  readonly volumes: VolumeService;
  /** Container mounts and their volumes (create, start, rm -v). */
  readonly volumeMounts: ContainerMounts;
  readonly health: HealthMonitor;
  readonly stats: StatsService;
  readonly update: UpdateService;
  readonly logRotator: LogRotator;
  readonly startedAt = new Date();
  /** Stable ID of this engine's data root, as Docker's `ID` in /info. */
  instanceId = '';

  constructor(readonly config: EngineOptions) {
    let containers: ContainerService | undefined;
    this.images = new ImageService({
      dataRoot: config.dataRoot,
      events: this.events,
      imagesInUse: () => containers?.imagesInUse() ?? new Set(),
      // Docker's rmi messages name a container that uses the image.
      imageUsers: (id) => containers?.imageUsers(id) ?? [],
      seedBusybox: config.seedBusybox,
    });
    this.registry = new RegistryService(this.images, config.registry ?? {
      insecureRegistries: [], registryMirrors: [], certsDir: '/etc/berth/certs.d', maxConcurrentDownloads: 3, maxConcurrentUploads: 5,
    });
    this.networks = new NetworkService(config.network, this.events, () => ({
      all: () => containers!.store.all(),
      resolve: (ref) => containers!.resolve(ref),
      isRunning: (rec) => containers!.isRunning(rec),
      update: (id, change) => containers!.update(id, change),
      etcPaths: (id) => ({ hosts: containers!.paths.hosts(id), resolvConf: containers!.paths.resolvConf(id) }),
    }));
    this.volumes = new VolumeService({ root: join(config.dataRoot, 'volumes'), events: this.events, usersOf: (name) => this.volumeMounts.usersOf(name) });
    this.volumeMounts = new ContainerMounts({ volumes: this.volumes, events: this.events, containers: () => containers! });
    containers = new ContainerService({ config: config.containers, events: this.events, images: this.images, network: this.networks, mounts: this.volumeMounts });
    this.containers = containers;
    this.exec = new ExecService({ config: { runtimes: config.runtimes }, containers, events: this.events });
    this.health = new HealthMonitor({ containers, exec: this.exec, events: this.events });
    this.stats = new StatsService(containers);
    this.update = new UpdateService({ config: { runtimes: config.runtimes }, containers, events: this.events });
    this.logRotator = new LogRotator({ containers });
  }

  async init(): Promise<void> {
    mkdirSync(this.config.dataRoot, { recursive: true, mode: 0o711 });
    mkdirSync(this.config.execRoot, { recursive: true, mode: 0o700 });
    const idFile = join(this.config.dataRoot, 'engine-id');
    if (!existsSync(idFile)) writeFileAtomicSync(idFile, randomUUID().toUpperCase());
    this.instanceId = readFileSync(idFile, 'utf8').trim();
    await this.images.init();
    this.networks.init(); // before containers: recovery releases the networks of exited containers
    await this.volumes.init();
    await this.containers.init();
    this.health.init();
    this.stats.init();
    this.logRotator.init();
    await this.networks.recover();
    await this.volumeMounts.init();
  }
}
