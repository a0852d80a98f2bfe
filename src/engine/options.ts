// What the engine needs from berthd's configuration, one small options type per service. Built from the
// daemon's flags and daemon.json in src/daemon/wiring.ts; nothing below src/daemon/ sees the daemon's own config type.
import type { RuntimeEntry } from '../runtime/runtimes.js';
import type { LogLevel } from '../util/log.js';
import type { ContainerConfigOptions } from './containers/options.js';
import type { NetworkServiceOptions } from '../network/network-service.js';
import type { RegistryServiceOptions } from '../images/image-registry.js';

export interface EngineOptions {
  dataRoot: string;
  execRoot: string;
  /** Shown as /info's Debug. */
  logLevel: LogLevel;
  /** Configured OCI runtimes and the default, listed by /info. */
  runtimes: Record<string, RuntimeEntry>;
  defaultRuntime: string;
  /** Default container log driver, shown as /info's LoggingDriver. */
  logDriver: string;
  /** Where berthd listens and whether TCP has TLS: /info warns about plain TCP. */
  hosts: string[];
  tls: boolean;
  containers: ContainerConfigOptions;
  network: NetworkServiceOptions;
  /** Registry client: insecure registries, mirrors, certs.d, transfer limits (berthd's defaults when absent). */
  registry?: RegistryServiceOptions;
  /** Seed `busybox:latest` from the host's busybox-static when no busybox image exists. */
  seedBusybox: boolean;
}
