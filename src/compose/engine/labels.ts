// Docker Compose's labels and names, so tools that read them (docker compose itself, docker-compose
// 1.29, dashboards) see berth compose's containers, networks and volumes as their own.
import { createHash } from 'node:crypto';
import type { ServiceConfig } from '../model/types.js';

export const LABEL = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  number: 'com.docker.compose.container-number',
  configHash: 'com.docker.compose.config-hash',
  oneoff: 'com.docker.compose.oneoff',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
  version: 'com.docker.compose.version',
  workingDir: 'com.docker.compose.project.working_dir',
  configFiles: 'com.docker.compose.project.config_files',
  dependsOn: 'com.docker.compose.depends_on',
  image: 'com.docker.compose.image',
  replace: 'com.docker.compose.replace',
} as const;

/** The version docker compose writes into its labels; tools only check that it parses. */
export const COMPOSE_VERSION = '2.40.3';

export function containerName(project: string, svc: ServiceConfig, n: number): string {
  return svc.container_name ?? `${project}-${svc.name}-${n}`;
}

export function oneoffName(project: string, service: string, suffix: string): string {
  return `${project}-${service}-run-${suffix}`;
}

/** The image a build produces when `image:` is not given: `<project>-<service>`, as docker compose v2. */
export function defaultImageName(project: string, svc: ServiceConfig): string {
  return svc.image ?? `${project}-${svc.name}`;
}

function stable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stable);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, stable((v as Record<string, unknown>)[k])]));
  return v;
}

/**
 * The config hash: what `up` compares to decide whether a container must be recreated. Scaling, build
 * and pull settings, dependencies, profiles and watch rules do not change a running container, so they are left out.
 */
export function serviceHash(svc: ServiceConfig): string {
  const { replicas: _r, build: _b, pull_policy: _p, profiles: _pr, watch: _w, depends_on: _d, ...rest } = svc;
  return createHash('sha256').update(JSON.stringify(stable(rest))).digest('hex');
}
