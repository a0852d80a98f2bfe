import type { Router } from '../router.js';
import type { Engine } from '../../engine/engine.js';

/** /containers/* endpoints. */
export function registerContainerRoutes(_router: Router, _engine: Engine): void {}
