/** The commands (set start/stop, cutoff, wink threshold, name, calibrate): REST twins of the MQTT requests. */
import express from 'express';
import type { Request, Response, Router } from 'express';
import type { CommandName } from '../../core/commands.ts';
import { dispatch, RequestSchemas } from '../../core/commands.ts';
import type { GatewayCommands, RestApiOptions } from './api-support.ts';
import { HttpError, MAX_BODY_BYTES, parse, requireAthlete, requireJsonBody } from './api-support.ts';

/** Commands executing at once; beyond it the client is told to retry, so nothing queues without bound. */
const MAX_CONCURRENT_COMMANDS = 16;

type CommandRoute = { method: 'post' | 'put'; path: string; command: CommandName };

/** REST twins of the MQTT requests: the athlete comes from the URL, the rest from the JSON body. */
const COMMAND_ROUTES: readonly CommandRoute[] = [
  { method: 'post', path: '/athletes/:id/set/start', command: 'set_start' },
  { method: 'post', path: '/athletes/:id/set/stop', command: 'set_stop' },
  { method: 'put', path: '/athletes/:id/cutoff', command: 'set_cutoff' },
  { method: 'put', path: '/athletes/:id/wink-threshold', command: 'set_wink_threshold' },
  { method: 'put', path: '/athletes/:id/name', command: 'name_athlete' },
  { method: 'post', path: '/athletes/:id/calibrate', command: 'calibrate' },
];

export function commandRoutes(router: Router, { store, commands }: RestApiOptions): void {
  let commandsRunning = 0;
  const json = express.json({ limit: MAX_BODY_BYTES, strict: true });
  for (const route of COMMAND_ROUTES) {
    router[route.method](route.path, requireJsonBody, json, async (req: Request, res: Response) => {
      const athlete = (await requireAthlete(store, req)).id;
      const body: unknown = req.body ?? {};
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        throw new HttpError(400, 'the body must be a JSON object');
      }
      if (Object.hasOwn(body, 'athlete')) throw new HttpError(400, 'the athlete is given by the URL, not the body');
      const parsed = parse(RequestSchemas[route.command], { ...body, athlete }, 'body');
      const { transaction: _omit, ...request } = parsed as Record<string, unknown>;
      if (commandsRunning >= MAX_CONCURRENT_COMMANDS) throw new HttpError(503, 'busy: too many commands in progress, retry');
      commandsRunning += 1;
      try {
        const run = dispatch[route.command] as (c: GatewayCommands, r: unknown) => Promise<unknown>;
        const data = await run(commands, request);
        res.json(data === undefined ? { status: 'ok' } : { status: 'ok', data });
      } finally {
        commandsRunning -= 1;
      }
    });
  }
}
