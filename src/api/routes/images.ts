import type { Router } from '../router.js';
import type { Engine } from '../../engine/engine.js';

/** /images/* endpoints. */
export function registerImageRoutes(_router: Router, _engine: Engine): void {}
