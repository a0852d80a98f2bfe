// The one place that turns berthd's configuration into each service's options.
import type { EngineOptions } from '../engine/options.js';
import type { DaemonConfig } from './config.js';
import type { IdMapping } from '../runtime/userns/remap.js';

/** `userns`: the daemon's userns-remap setting, resolved (src/runtime/userns/remap.ts) by main. */
export function engineOptions(cfg: DaemonConfig, userns?: IdMapping): EngineOptions {
  return {
    dataRoot: cfg.dataRoot,
    execRoot: cfg.execRoot,
    logLevel: cfg.logLevel,
    runtimes: cfg.runtimes,
    defaultRuntime: cfg.defaultRuntime,
    logDriver: cfg.logDriver,
    hosts: cfg.hosts,
    tls: cfg.tls,
    seedBusybox: cfg.seedBusybox,
    containers: {
      dataRoot: cfg.dataRoot,
      execRoot: cfg.execRoot,
      defaultRuntime: cfg.defaultRuntime,
      runtimes: cfg.runtimes,
      monitorLogLevel: cfg.logLevel === 'debug' ? 'info' : 'error',
      logDriver: cfg.logDriver,
      logOpts: cfg.logOpts,
      ...(userns ? { userns } : {}),
    },
    registry: {
      insecureRegistries: cfg.insecureRegistries,
      registryMirrors: cfg.registryMirrors,
      certsDir: cfg.registryCertsDir,
      maxConcurrentDownloads: cfg.maxConcurrentDownloads,
      maxConcurrentUploads: cfg.maxConcurrentUploads,
    },
    network: {
      dataRoot: cfg.dataRoot,
      execRoot: cfg.execRoot,
      bridgeName: cfg.bridgeName,
      bip: cfg.bip,
      defaultAddressPools: cfg.defaultAddressPools,
      // Ready namespaces on the default bridge (src/netavark/netns-pool.ts); BERTH_NETNS_POOL=0 turns the pool off.
      netnsPool: Math.max(0, Math.min(64, Number(process.env.BERTH_NETNS_POOL ?? 4) || 0)),
      // Default-bridge set-ups at once under the shared host lock (src/network/netavark-runs.ts); 1 makes
      // every run exclusive. 4: netavark mostly waits on its iptables children, so 4 fill 2 cores.
      netavarkParallel: Math.max(1, Math.min(32, Number(process.env.BERTH_NETAVARK_PARALLEL ?? 4) || 4)),
    },
  };
}
