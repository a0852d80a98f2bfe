// /containers/{id}/archive (docker cp), /changes (docker diff) and /export.
import type { Router } from '../router.js';
import type { Engine } from '../../engine/engine.js';

export function registerArchiveRoutes(router: Router, engine: Engine): void {
  void router; void engine;
}
