/**
 * What every route group of the REST API shares: its options, the error that carries a status to the error
 * handler, input parsing, and the error handler itself (bad input 400 `{error}`, unknown ids 404, an unavailable
 * store 503, a command the service refuses 409; nothing throws past it).
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import type { z } from 'zod';
import type { BridgeCommands } from '../../core/commands.ts';
import { CommandError } from '../../core/commands.ts';
import type { PublishedSession } from '../../core/domain.ts';
import type { Logger } from '../../core/logger.ts';
import type { HistoryStore } from '../../store/history-store.ts';
import { isStoreError } from '../../store/store-error.ts';
import { athleteIdSchema } from '../../store/validation.ts';
import { describeIssues } from '../query-schemas.ts';

/**
 * The service's commands: exactly the MQTT bridge's (`bridge/request/<command>`), so one object serves both.
 * Throw `CommandError` to refuse with a message the client sees.
 */
export type GatewayCommands = BridgeCommands;

export interface RestApiOptions {
  readonly store: HistoryStore;
  readonly commands: GatewayCommands;
  /** Folder the set recordings live in; only files inside it are served. Null: recordings are not served. */
  readonly recordingsDir: string | null;
  readonly logger: Logger;
  /**
   * The running session's summary of an athlete as last published (MQTT `session`), or null. The plan uses it
   * before the stored sessions: their summaries are stored when they end, and a plan that ignored the running
   * session said "no posture measured yet" while the live view showed one.
   */
  readonly liveSession?: (athlete: string) => PublishedSession | null;
  /**
   * The growing recording of a set that is still open on this gateway (flushed up to now), or null. The trace
   * of an open set is computed from it, so the history can replay a set while it runs.
   */
  readonly openSetRecording?: (session: string, set: number) => Promise<string | null>;
}

/** Largest JSON body accepted, bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

/** An answer other than 200, carried to the error handler. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new HttpError(400, `invalid ${what}: ${describeIssues(result.error)}`);
  return result.data;
}

export function queryOf(req: Request): Record<string, unknown> {
  // `token` authenticates the request (browser links, ws); it is no filter.
  const { token: _token, ...rest } = req.query as Record<string, unknown>;
  return rest;
}

/** The athlete named by the URL (`:id`), or 404. */
export async function requireAthlete(store: HistoryStore, req: Request) {
  const id = parse(athleteIdSchema, req.params.id, 'athlete id');
  const athlete = await store.getAthlete(id);
  if (athlete === null) throw new HttpError(404, `no athlete ${id}`);
  return athlete;
}

/** A body that is not JSON would be ignored by the JSON parser and read as "no fields": refuse it clearly. */
export function requireJsonBody(req: Request, _res: Response, next: NextFunction): void {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && !req.is('application/json')) next(new HttpError(415, 'the body must be JSON (Content-Type: application/json)'));
  else next();
}

/** The real path of `stored` if it is a regular file inside `root`; relative paths are taken from `root`. */
export async function fileInside(root: string, stored: string): Promise<string | 'missing' | 'outside'> {
  let realRoot: string;
  let realFile: string;
  try {
    realRoot = await realpath(root);
    // Resolving links first: a link inside the folder pointing out of it is outside.
    realFile = await realpath(resolve(realRoot, stored));
  } catch {
    return 'missing';
  }
  const rel = relative(realRoot, realFile);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return 'outside';
  try {
    if (!(await stat(realFile)).isFile()) return 'missing';
  } catch {
    return 'missing';
  }
  return realFile;
}

/** What a client is told about a store failure: the kind, what to do; details stay in the log. */
const STORE_UNAVAILABLE: Partial<Record<string, string>> = {
  busy: 'the history store is busy, retry in a moment',
  full: 'the history store is full (disk or size limit reached)',
  readonly: 'the history store cannot be written',
  closed: 'the history store is closed (the gateway is shutting down)',
  io: 'the history store cannot be read (disk error)',
  corrupt: 'the history store is damaged',
};

export function apiErrorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const [status, error] = classify(err);
    if (status >= 500) logger.error('http: request failed', { method: req.method, path: req.path, error: (err as Error)?.message });
    if (res.headersSent) {
      // A download broke off midway: nothing can be answered any more, only the connection closed.
      res.destroy();
      return;
    }
    res.status(status).json({ error });
  };
}

function classify(err: unknown): [number, string] {
  if (err instanceof HttpError) return [err.status, err.message];
  if (err instanceof CommandError) return [409, err.message];
  if (isStoreError(err)) {
    if (err.code === 'invalid') return [400, err.message];
    if (err.code === 'not_found') return [404, err.message];
    const unavailable = STORE_UNAVAILABLE[err.code];
    if (unavailable !== undefined) return [503, unavailable];
    return [500, 'internal error'];
  }
  // body-parser's errors carry a status and whether their message may be shown.
  const parserError = err as { status?: unknown; expose?: unknown; type?: unknown; message?: unknown };
  if (typeof parserError.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
    if (parserError.type === 'entity.too.large') return [413, `the body is larger than ${MAX_BODY_BYTES} bytes`];
    if (parserError.type === 'entity.parse.failed') return [400, 'the body is not valid JSON'];
    return [parserError.status, parserError.expose === true ? String(parserError.message) : 'bad request'];
  }
  return [500, 'internal error'];
}
