// Which module implements which verb. Modules load lazily, so `berth run` pays only for run's code:
// the CLI's start-up time is benchmarked.
import type { VerbSpec } from './command.js';

type Loader = () => Promise<VerbSpec>;

const run: Loader = () => import('./verbs/run.js').then((m) => m.runVerb);
const create: Loader = () => import('./verbs/run.js').then((m) => m.createVerb);
const start: Loader = () => import('./verbs/start.js').then((m) => m.startVerb);
const stop: Loader = () => import('./verbs/lifecycle.js').then((m) => m.stopVerb);
const restart: Loader = () => import('./verbs/lifecycle.js').then((m) => m.restartVerb);
const kill: Loader = () => import('./verbs/lifecycle.js').then((m) => m.killVerb);
const rm: Loader = () => import('./verbs/lifecycle.js').then((m) => m.rmVerb);
const wait: Loader = () => import('./verbs/lifecycle.js').then((m) => m.waitVerb);
const rename: Loader = () => import('./verbs/lifecycle.js').then((m) => m.renameVerb);
const ps: Loader = () => import('./verbs/ps.js').then((m) => m.psVerb);
const logs: Loader = () => import('./verbs/logs.js').then((m) => m.logsVerb);
const top: Loader = () => import('./verbs/top.js').then((m) => m.topVerb);
const inspect: Loader = () => import('./verbs/inspect.js').then((m) => m.inspectVerb);
const containerInspect: Loader = () => import('./verbs/inspect.js').then((m) => m.containerInspectVerb);
const imageInspect: Loader = () => import('./verbs/inspect.js').then((m) => m.imageInspectVerb);
const images: Loader = () => import('./verbs/images.js').then((m) => m.imagesVerb);
const imageLs: Loader = () => import('./verbs/images.js').then((m) => m.imageLsVerb);
const rmi: Loader = () => import('./verbs/image-ops.js').then((m) => m.rmiVerb);
const tag: Loader = () => import('./verbs/image-ops.js').then((m) => m.tagVerb);
const history: Loader = () => import('./verbs/image-ops.js').then((m) => m.historyVerb);
const save: Loader = () => import('./verbs/save-load.js').then((m) => m.saveVerb);
const load: Loader = () => import('./verbs/save-load.js').then((m) => m.loadVerb);
const importVerb: Loader = () => import('./verbs/save-load.js').then((m) => m.importVerb);
const events: Loader = () => import('./verbs/events.js').then((m) => m.eventsVerb);
const version: Loader = () => import('./verbs/system.js').then((m) => m.versionVerb);
const info: Loader = () => import('./verbs/system.js').then((m) => m.infoVerb);
const df: Loader = () => import('./verbs/system.js').then((m) => m.dfVerb);
const containerPrune: Loader = () => import('./verbs/prune.js').then((m) => m.containerPruneVerb);
const imagePrune: Loader = () => import('./verbs/prune.js').then((m) => m.imagePruneVerb);
const volumeCreate: Loader = () => import('./verbs/volume.js').then((m) => m.volumeCreateVerb);
const volumeLs: Loader = () => import('./verbs/volume.js').then((m) => m.volumeLsVerb);
const volumeInspect: Loader = () => import('./verbs/volume.js').then((m) => m.volumeInspectVerb);
const volumeRm: Loader = () => import('./verbs/volume.js').then((m) => m.volumeRmVerb);
const volumePrune: Loader = () => import('./verbs/volume.js').then((m) => m.volumePruneVerb);
const networkCreate: Loader = () => import('./verbs/network.js').then((m) => m.networkCreateVerb);
const networkLs: Loader = () => import('./verbs/network.js').then((m) => m.networkLsVerb);
const networkInspect: Loader = () => import('./verbs/network.js').then((m) => m.networkInspectVerb);
const networkRm: Loader = () => import('./verbs/network.js').then((m) => m.networkRmVerb);
const networkConnect: Loader = () => import('./verbs/network.js').then((m) => m.networkConnectVerb);
const networkDisconnect: Loader = () => import('./verbs/network.js').then((m) => m.networkDisconnectVerb);
const networkPrune: Loader = () => import('./verbs/network.js').then((m) => m.networkPruneVerb);
const port: Loader = () => import('./verbs/network-port.js').then((m) => m.portVerb);
const exec: Loader = () => import('./verbs/exec.js').then((m) => m.execVerb);
const cp: Loader = () => import('./verbs/cp.js').then((m) => m.cpVerb);
const diff: Loader = () => import('./verbs/diff.js').then((m) => m.diffVerb);
const exportVerb: Loader = () => import('./verbs/export.js').then((m) => m.exportVerb);
const pull: Loader = () => import('./verbs/registry.js').then((m) => m.pullVerb);
const push: Loader = () => import('./verbs/registry.js').then((m) => m.pushVerb);
const login: Loader = () => import('./verbs/registry.js').then((m) => m.loginVerb);
const logout: Loader = () => import('./verbs/registry.js').then((m) => m.logoutVerb);
const search: Loader = () => import('./verbs/registry.js').then((m) => m.searchVerb);
const attach: Loader = () => import('./verbs/attach.js').then((m) => m.attachVerb);
const stats: Loader = () => import('./verbs/stats.js').then((m) => m.statsVerb);
const update: Loader = () => import('./verbs/update.js').then((m) => m.updateVerb);
const build: Loader = () => import('./verbs/build.js').then((m) => m.buildVerb);
const commit: Loader = () => import('./verbs/commit.js').then((m) => m.commitVerb);
const registryServe: Loader = () => import('./verbs/registry-serve.js').then((m) => m.registryServeVerb);
const registryGc: Loader = () => import('./verbs/registry-serve.js').then((m) => m.registryGcVerb);
const compose: Loader = () => import('./verbs/compose/index.js').then((m) => m.composeVerb);

export const topLevel: Record<string, Loader> = {
  run, create, start, stop, restart, kill, rm, wait, rename, ps, logs, top, inspect, images, rmi, tag, history,
  save, load, import: importVerb, events, version, info,
  port,
  exec, cp, diff, export: exportVerb, attach, build, commit, compose, stats, update,
  pull, push, login, logout, search,
};

export const groups: Record<string, Record<string, Loader>> = {
  container: {
    run, create, start, stop, restart, kill, rm, remove: rm, wait, rename, ls: ps, ps, list: ps, logs, top,
    inspect: containerInspect, prune: containerPrune,
    port,
    exec, cp, diff, export: exportVerb, attach, commit, stats, update,
  },
  image: {
    ls: imageLs, list: imageLs, rm: rmi, remove: rmi, tag, history, save, load, import: importVerb,
    inspect: imageInspect, prune: imagePrune, pull, push, build,
  },
  system: { df, info, events },
  volume: { create: volumeCreate, ls: volumeLs, list: volumeLs, inspect: volumeInspect, rm: volumeRm, remove: volumeRm, prune: volumePrune },
  network: {
    create: networkCreate, ls: networkLs, list: networkLs, inspect: networkInspect, rm: networkRm, remove: networkRm,
    connect: networkConnect, disconnect: networkDisconnect, prune: networkPrune,
  },
  registry: { serve: registryServe, gc: registryGc },
};

/** One-line summaries for `berth --help` and group help, without loading any verb module. */
export const summaries: Record<string, string> = {
  run: 'Create and run a new container from an image',
  create: 'Create a new container',
  start: 'Start one or more stopped containers',
  stop: 'Stop one or more running containers',
  restart: 'Restart one or more containers',
  kill: 'Kill one or more running containers',
  rm: 'Remove one or more containers',
  remove: 'Remove one or more containers',
  wait: 'Block until one or more containers stop, then print their exit codes',
  rename: 'Rename a container',
  ps: 'List containers',
  ls: 'List containers',
  list: 'List containers',
  logs: 'Fetch the logs of a container',
  top: 'Display the running processes of a container',
  inspect: 'Return low-level information on Docker objects',
  images: 'List images',
  rmi: 'Remove one or more images',
  tag: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  history: 'Show the history of an image',
  save: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  load: 'Load an image from a tar archive or STDIN',
  import: 'Import the contents from a tarball to create a filesystem image',
  events: 'Get real time events from the server',
  version: 'Show the Berth version information',
  info: 'Display system-wide information',
  df: 'Show docker disk usage',
  prune: 'Remove unused objects',
  container: 'Manage containers',
  image: 'Manage images',
  system: 'Manage Berth',
  volume: 'Manage volumes',
  'volume create': 'Create a volume',
  'volume inspect': 'Display detailed information on one or more volumes',
  'volume ls': 'List volumes',
  'volume list': 'List volumes',
  'volume prune': 'Remove unused local volumes',
  'volume rm': 'Remove one or more volumes',
  'volume remove': 'Remove one or more volumes',
  network: 'Manage networks',
  port: 'List port mappings or a specific mapping for the container',
  exec: 'Execute a command in a running container',
  cp: 'Copy files/folders between a container and the local filesystem',
  diff: "Inspect changes to files or directories on a container's filesystem",
  export: "Export a container's filesystem as a tar archive",
  attach: 'Attach local standard input, output, and error streams to a running container',
  stats: 'Display a live stream of container(s) resource usage statistics',
  update: 'Update configuration of one or more containers',
  compose: 'Define and run multi-container applications',
  'network create': 'Create a network',
  'network connect': 'Connect a container to a network',
  'network disconnect': 'Disconnect a container from a network',
  'network inspect': 'Display detailed information on one or more networks',
  'network ls': 'List networks',
  'network list': 'List networks',
  'network prune': 'Remove all unused networks',
  'network rm': 'Remove one or more networks',
  'network remove': 'Remove one or more networks',
  registry: 'Run the built-in OCI Distribution registry',
  'registry serve': 'Serve an OCI Distribution registry from a directory',
  'registry gc': 'Delete blobs no manifest in the registry refers to',
};
