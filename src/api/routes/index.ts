import { Router } from '../router.js';
import type { Engine } from '../../engine/engine.js';
import { registerSystemRoutes } from './system.js';
import { registerImageRoutes } from './images.js';
import { registerContainerRoutes } from './containers.js';

export function buildRouter(engine: Engine): Router {
  const router = new Router();
  registerSystemRoutes(router, engine);
  registerImageRoutes(router, engine);
  registerContainerRoutes(router, engine);
  return router;
}
