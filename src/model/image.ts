// The image contract the rest of the engine relies on. Images are identified by the sha256 digest of
// their config (`sha256:<hex>`), as Docker does; layers by diffID (digest of the uncompressed tar) and
// unpacked once by chainID, shared by every image that has them.

/** Docker's container/image `Config` (the subset of ContainerConfig an image carries). */
export interface ImageRunConfig {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Cmd?: string[] | null;
  Healthcheck?: unknown;
  ArgsEscaped?: boolean;
  Volumes?: Record<string, object> | null;
  WorkingDir?: string;
  Entrypoint?: string[] | null;
  OnBuild?: string[] | null;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  Shell?: string[];
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** The OCI/Docker image config JSON, as stored in the content store. */
export interface ImageConfigJson {
  architecture: string;
  os: string;
  created?: string;
  author?: string;
  config?: ImageRunConfig;
  container_config?: ImageRunConfig;
  /** ID of the container a build step or commit came from. */
  container?: string;
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: HistoryEntry[];
  comment?: string;
  docker_version?: string;
  variant?: string;
}

/** What the engine keeps about an image. */
export interface ImageRecord {
  /** `sha256:<hex>` of the config blob. */
  id: string;
  /** e.g. `busybox:latest`, `localhost:5000/app:1` (normalized short names as Docker shows them). */
  repoTags: string[];
  repoDigests: string[];
  config: ImageConfigJson;
  /** Unpacked size of all layers, bytes. */
  size: number;
  /** When the image was stored locally (RFC 3339). */
  loadedAt: string;
  /** When a tag was last set on this image (RFC 3339), Docker's Metadata.LastTagTime. */
  lastTagTime?: string;
  /** Parent image ID (images built locally), else unset. */
  parent?: string;
}

/** What containers need from the image store. */
export interface ImageProvider {
  /** By name[:tag], name@digest, full or short ID (with or without `sha256:`). NotFound: `No such image: <ref>`. */
  resolve(ref: string): Promise<ImageRecord>;
  /** Absolute paths of the unpacked layer directories, top-most first (overlayfs lowerdir order). */
  layerDirs(image: ImageRecord): Promise<string[]>;
}
