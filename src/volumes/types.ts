// Shapes of a volume: what Berth persists per volume (<dataRoot>/volumes/<name>/volume.json) and
// Docker's Volume object as the API returns it.

/** Label Docker (≥ 23) puts on anonymous volumes; `volume prune` removes only those by default. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

export interface VolumeRecord {
  Name: string;
  Driver: string;
  /** As given at create; null when none were given (Docker shows null then). */
  Labels: Record<string, string> | null;
  /** Driver options (`--opt type/device/o`); null when none. */
  Options: Record<string, string> | null;
  /** RFC 3339, seconds precision, as Docker shows it. */
  CreatedAt: string;
}

/** Docker's Volume object. */
export interface VolumeView {
  Name: string;
  Driver: string;
  Mountpoint: string;
  CreatedAt: string;
  Labels: Record<string, string> | null;
  Scope: 'local';
  Options: Record<string, string> | null;
  UsageData?: { Size: number; RefCount: number };
}

/** POST /volumes/create body. */
export interface VolumeCreateRequest {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

export function isAnonymous(v: VolumeRecord): boolean {
  return !!v.Labels && ANONYMOUS_LABEL in v.Labels;
}
