// The slices of Docker Engine API v1.50 shapes the CLI reads and writes. Optional everywhere the daemon
// may omit a field; unknown extra fields pass through untouched (inspect prints them as they come).

export type Filters = Record<string, string[]>;

export interface PortSummary { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }

export interface MountSummary { Type?: string; Name?: string; Source?: string; Destination?: string }

export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID?: string;
  Command: string;
  Created: number;
  Ports?: PortSummary[] | null;
  SizeRw?: number;
  SizeRootFs?: number;
  Labels?: Record<string, string> | null;
  State: string;
  Status: string;
  HostConfig?: { NetworkMode?: string };
  NetworkSettings?: { Networks?: Record<string, unknown> | null };
  Mounts?: MountSummary[] | null;
}

export interface ImageSummary {
  Id: string;
  ParentId?: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Created: number;
  Size: number;
  SharedSize?: number;
  VirtualSize?: number;
  Labels?: Record<string, string> | null;
  Containers?: number;
}

export interface ContainerState {
  Status: string;
  Running: boolean;
  Paused?: boolean;
  ExitCode: number;
  Pid?: number;
  Error?: string;
  StartedAt?: string;
  FinishedAt?: string;
}

export interface ContainerInspect {
  Id: string;
  Name: string;
  Created: string;
  State: ContainerState;
  Image: string;
  Config: { Tty?: boolean; OpenStdin?: boolean; Image?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export interface HostConfigBody {
  AutoRemove?: boolean;
  NetworkMode?: string;
  Runtime?: string;
  Privileged?: boolean;
  ReadonlyRootfs?: boolean;
  CapAdd?: string[];
  CapDrop?: string[];
  Binds?: string[];
  Tmpfs?: Record<string, string>;
  Mounts?: unknown[];
  VolumesFrom?: string[];
  RestartPolicy?: { Name: string; MaximumRetryCount?: number };
  Memory?: number;
  NanoCpus?: number;
  PidsLimit?: number;
  Init?: boolean;
  ShmSize?: number;
  Ulimits?: Array<{ Name: string; Soft: number; Hard: number }>;
  ExtraHosts?: string[];
  Dns?: string[];
  SecurityOpt?: string[];
  /** [rows, columns] of the initial TTY, so the container starts at our terminal's size. */
  ConsoleSize?: [number, number];
}

export interface ContainerCreateBody {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Env?: string[];
  Cmd?: string[] | null;
  Entrypoint?: string[] | null;
  Image: string;
  Labels?: Record<string, string>;
  WorkingDir?: string;
  StopSignal?: string;
  StopTimeout?: number;
  Volumes?: Record<string, object>;
  HostConfig: HostConfigBody;
  NetworkingConfig?: unknown;
}

export interface ContainerCreateResponse { Id: string; Warnings?: string[] | null }

export interface WaitResponse { StatusCode: number; Error?: { Message?: string } | null }

export interface TopResponse { Titles: string[]; Processes: string[][] }

export interface ChangeItem { Path: string; Kind: number }

export interface HistoryItem { Id: string; Created: number; CreatedBy: string; Tags?: string[] | null; Size: number; Comment: string }

export interface DeleteItem { Untagged?: string; Deleted?: string }

export interface PruneResponse { ContainersDeleted?: string[] | null; ImagesDeleted?: DeleteItem[] | null; SpaceReclaimed?: number }

export interface EventMessage {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes?: Record<string, string> };
  scope?: string;
  time?: number;
  timeNano?: number;
  status?: string;
  id?: string;
  from?: string;
}

export interface JsonProgress { current?: number; total?: number; start?: number; units?: string; hidecounts?: boolean }

/** One line of a JSON progress stream (pull, load, import, build). */
export interface JsonMessage {
  stream?: string;
  status?: string;
  progress?: string;
  progressDetail?: JsonProgress;
  id?: string;
  from?: string;
  time?: number;
  timeNano?: number;
  errorDetail?: { code?: number; message?: string };
  error?: string;
  aux?: unknown;
}

export interface VersionResponse {
  Version: string;
  ApiVersion: string;
  MinAPIVersion?: string;
  GitCommit?: string;
  GoVersion?: string;
  Os: string;
  Arch: string;
  KernelVersion?: string;
  BuildTime?: string;
  Platform?: { Name: string };
  Components?: Array<{ Name: string; Version: string; Details?: Record<string, string> }>;
}

export interface RuntimeInfo { path?: string; status?: Record<string, string> }

export interface InfoResponse {
  Containers: number;
  ContainersRunning: number;
  ContainersPaused: number;
  ContainersStopped: number;
  Images: number;
  Driver: string;
  DriverStatus?: string[][] | null;
  ServerVersion: string;
  Runtimes?: Record<string, RuntimeInfo>;
  DefaultRuntime?: string;
  [k: string]: unknown;
}

export interface DiskUsage {
  LayersSize?: number;
  Images?: ImageSummary[] | null;
  Containers?: ContainerSummary[] | null;
  Volumes?: Array<{ Name: string; UsageData?: { Size: number; RefCount: number }; Labels?: Record<string, string>; Mountpoint?: string }> | null;
  BuildCache?: Array<{ ID: string; Size: number; InUse: boolean; Shared?: boolean }> | null;
}

/** Berth's own GET /berth/system/check: container records recovery set aside (quarantined). */
export interface SystemCheckResponse { Quarantined: Array<{ ID: string; Reason: string; Path: string; At: string }> }
