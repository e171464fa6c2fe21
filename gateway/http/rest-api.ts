/**
 * The REST API under `/api`, assembled from its route groups (routes/): athletes with their trends and plan,
 * sessions with their sets' recordings and curves, reps and their exports, and the same commands as the MQTT
 * bridge requests. Every input is validated before anything is done; the error handler answers bad input 400
 * `{error}`, unknown ids 404, an unavailable store 503, a command the service refuses 409 (routes/api-support.ts).
 */
import express from 'express';
import type { Router } from 'express';
import type { RestApiOptions } from './routes/api-support.ts';
import { apiErrorHandler, HttpError } from './routes/api-support.ts';
import { athleteRoutes } from './routes/athlete-routes.ts';
import { commandRoutes } from './routes/command-routes.ts';
import { repRoutes } from './routes/rep-routes.ts';
import { sessionRoutes } from './routes/session-routes.ts';

export type { GatewayCommands, RestApiOptions } from './routes/api-support.ts';
export { MAX_BODY_BYTES } from './routes/api-support.ts';

export function restApi(options: RestApiOptions): Router {
  const router = express.Router();
  athleteRoutes(router, options);
  sessionRoutes(router, options);
  repRoutes(router, options);
  commandRoutes(router, options);
  router.use((req, _res, next) => next(new HttpError(404, `no such API route: ${req.method} /api${req.path}`)));
  router.use(apiErrorHandler(options.logger));
  return router;
}
