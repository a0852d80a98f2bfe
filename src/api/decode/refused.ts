// Docker API fields that Berth does not apply. A request that sets one (to anything but its zero or
// default value) is refused with a 400 naming the field, instead of being accepted and silently dropped.
// docs/refused.md lists the same table for users; keep the two in step.
import { invalidArgument } from '../../errors.js';

type Check = (v: unknown) => boolean;

/** Go's zero value, or an empty list/map: what a client sends when it does not use the field. */
export function isUnset(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.values(v as object).every(isUnset);
  return false;
}

const oneOf = (...ok: unknown[]): Check => (v) => isUnset(v) || ok.includes(v);

/** Path (dot-separated, from the request body's top) → what counts as "not asking for it". */
const CONTAINER_CREATE: Record<string, Check> = {
  'NetworkDisabled': isUnset,
  'HostConfig.Annotations': isUnset,
  'HostConfig.BlkioWeightDevice': isUnset,
  'HostConfig.BlkioDeviceReadBps': isUnset,
  'HostConfig.BlkioDeviceWriteBps': isUnset,
  'HostConfig.BlkioDeviceReadIOps': isUnset,
  'HostConfig.BlkioDeviceWriteIOps': isUnset,
  'HostConfig.Cgroup': isUnset,
  'HostConfig.CgroupParent': isUnset,
  'HostConfig.CgroupnsMode': isUnset,
  'HostConfig.CpuCount': isUnset,
  'HostConfig.CpuPercent': isUnset,
  'HostConfig.CpuRealtimePeriod': isUnset,
  'HostConfig.CpuRealtimeRuntime': isUnset,
  'HostConfig.DeviceRequests': isUnset,
  'HostConfig.IOMaximumBandwidth': isUnset,
  'HostConfig.IOMaximumIOps': isUnset,
  'HostConfig.Isolation': oneOf('default'),
  'HostConfig.KernelMemory': isUnset,
  'HostConfig.KernelMemoryTCP': isUnset,
  'HostConfig.StorageOpt': isUnset,
  // `host` opts out of the daemon's userns-remap (and is what every container gets without it); dockerd
  // knows no other value.
  'HostConfig.UsernsMode': oneOf('host'),
};

const ENDPOINT: Record<string, Check> = { DriverOpts: isUnset };

function at(body: unknown, path: string): unknown {
  let v: unknown = body;
  for (const k of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

function refuse(field: string, value: unknown): never {
  throw invalidArgument(`${field} is not supported by Berth (got ${JSON.stringify(value)}); remove it from the request`);
}

/** Throws a 400 for the first field of a decoded create body that Berth would not apply. */
export function refuseUnsupportedCreateFields(body: unknown): void {
  for (const [path, unset] of Object.entries(CONTAINER_CREATE)) {
    const v = at(body, path);
    if (!unset(v)) refuse(path, v);
  }
  const endpoints = at(body, 'NetworkingConfig.EndpointsConfig');
  for (const [net, ep] of Object.entries((endpoints ?? {}) as Record<string, unknown>)) {
    for (const [field, unset] of Object.entries(ENDPOINT)) {
      const v = at(ep, field);
      if (!unset(v)) refuse(`NetworkingConfig.EndpointsConfig.${net}.${field}`, v);
    }
  }
}

/** Fields refused on create, for docs/refused.md and the tests. */
export const REFUSED_CREATE_FIELDS = [...Object.keys(CONTAINER_CREATE), ...Object.keys(ENDPOINT).map((f) => `NetworkingConfig.EndpointsConfig.*.${f}`)];
