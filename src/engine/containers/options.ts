// What the container service takes: berthd's configuration and the services it calls.
import type { RuntimeEntry } from '../../runtime/runtimes.js';
import type { IdMapping } from '../../runtime/userns/remap.js';
import type { EventBus } from '../../model/events.js';
import type { ImageProvider } from '../../model/image.js';
import type { NetworkService } from '../../network/network-service.js';
import type { ContainerMountHooks } from './mounts.js';

/** What the container service needs from the daemon's configuration (built in src/daemon/wiring.ts). */
export interface ContainerConfigOptions {
  dataRoot: string;
  execRoot: string;
  defaultRuntime: string;
  runtimes: Record<string, RuntimeEntry>;
  /** conmon's log level. */
  monitorLogLevel: 'info' | 'error';
  /** Default log driver and options for containers that set none (daemon.json log-driver, log-opts). */
  logDriver: string;
  logOpts: Record<string, string>;
  /** userns-remap: the mappings of containers not run with `--userns=host`. */
  userns?: IdMapping;
}

export interface ContainerServiceOptions {
  config: ContainerConfigOptions;
  events: EventBus;
  images: ImageProvider;
  /** Volumes and mounts (src/engine/volumes); without it only host-path binds work. */
  mounts?: ContainerMountHooks;
  /** Networking (src/network): endpoints recorded at create, set up before start, released after a run. */
  network?: Pick<NetworkService, 'createSettings' | 'attach' | 'release' | 'rewriteHosts'>;
}
