// Shapes of a container: what the Engine API sends on create (Docker's ContainerConfig + HostConfig),
// and the record Berth keeps per container on disk (<dataRoot>/containers/<id>/container.json).
import type { ImageRunConfig } from './image.js';
import type { ContainerNetworkSettings } from './network.js';

/** Docker's ContainerConfig as sent in POST /containers/create (the fields Berth acts on, others kept). */
export interface ContainerConfig extends ImageRunConfig {
  Image?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  NetworkDisabled?: boolean;
  StopTimeout?: number;
  [extra: string]: unknown;
}

export interface Ulimit { Name: string; Soft: number; Hard: number }

/** Docker's HostConfig (fields Berth acts on; everything else is kept and echoed back by inspect). */
export interface HostConfig {
  NetworkMode?: string;
  AutoRemove?: boolean;
  Runtime?: string;
  Privileged?: boolean;
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
  Ulimits?: Ulimit[] | null;
  ShmSize?: number;
  ReadonlyRootfs?: boolean;
  RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
  Binds?: string[] | null;
  Init?: boolean | null;
  [extra: string]: unknown;
}

export interface CreateRequest extends ContainerConfig {
  HostConfig?: HostConfig;
  NetworkingConfig?: unknown;
}

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerStateRecord {
  Status: ContainerStatus;
  Pid: number;
  ExitCode: number;
  Error: string;
  OOMKilled: boolean;
  StartedAt: string;
  FinishedAt: string;
  /** Set while the container has a health check (src/engine/health). */
  Health?: HealthState;
}

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';
export interface HealthResult { Start: string; End: string; ExitCode: number; Output: string }
/** Docker's State.Health, persisted with the container. */
export interface HealthState { Status: HealthStatus; FailingStreak: number; Log: HealthResult[] }

/** What Berth persists per container. */
export interface ContainerRecord {
  Id: string;
  /** With the leading slash, as Docker stores it. */
  Name: string;
  Created: string;
  Path: string;
  Args: string[];
  Config: ContainerConfig;
  HostConfig: HostConfig;
  /** Image ID (`sha256:...`). */
  Image: string;
  /** Lowerdirs of the overlay, top-most first, fixed at create. */
  LayerDirs: string[];
  State: ContainerStateRecord;
  RestartCount: number;
  /** Runtime name (runc, crun). */
  Runtime: string;
  /** Set when the container was removed while berthd was down half-way; recovery finishes it. */
  RemovalInProgress?: boolean;
  /** Nanosecond timestamp of the last start, for `die` events' execDuration. */
  HasBeenStartedBefore?: boolean;
  /** Stopped (or killed) by the user: no restart policy applies, `unless-stopped` stays down across berthd restarts. */
  HasBeenManuallyStopped?: boolean;
  /** Networks the container is connected to, its addresses and published ports (src/network). */
  NetworkSettings?: ContainerNetworkSettings;
  /** Legacy links registered at create (engine/containers/links.ts); HostConfig.Links keeps what was asked. */
  Links?: ContainerLink[];
  /** Mounts planned at create (binds, volumes, tmpfs), see mounts.ts; absent on records from before volumes. */
  MountPoints?: MountPointRecord[];
}

/** A legacy link of a parent: the target's ID, its name when last seen, and the alias (`/<parent>/<alias>`). */
export interface ContainerLink { Id: string; Name: string; Alias: string }

/** One mount of a container as Berth persists it: Docker's MountPoint plus what start needs (engine/containers/mounts.ts plans them). */
export type MountType = 'bind' | 'volume' | 'tmpfs';
export interface MountPointRecord {
  Type: MountType;
  /** Volume name; empty for an anonymous volume until the volume service names it. */
  Name?: string;
  /** Host path: the bind source, or the volume's data dir once resolved. */
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
  /** The user named the volume (`-v name:/x`): `rm -v` keeps it. */
  Named?: boolean;
  /** Fill a fresh, empty volume with the image's content at this path. */
  CopyData?: boolean;
  /** `-v /host:/x` creates a missing host directory at start; `--mount` refuses it at create. */
  CreateSource?: boolean;
  NonRecursive?: boolean;
  /** VolumeOptions.Subpath (API 1.45): only this directory of the volume is mounted. */
  Subpath?: string;
  /** tmpfs mount data (`size=..,mode=..`). */
  Data?: string;
  /** HostConfig.Tmpfs entries are not listed in inspect's Mounts (as in Docker). */
  Hidden?: boolean;
  /** For a volume the service has to create: labels and driver options from `--mount`. */
  VolumeCreate?: { driver?: string; labels?: Record<string, string>; options?: Record<string, string> };
}

export const ZERO_TIME = '0001-01-01T00:00:00Z';
