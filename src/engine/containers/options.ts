// What the container service takes from berthd's configuration.
import type { RuntimeEntry } from '../../runtime/runtimes.js';
import type { IdMapping } from '../../runtime/userns/remap.js';

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
