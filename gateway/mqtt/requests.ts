/**
 * `<root>/bridge/request/<command>` → `<root>/bridge/response/<command>`: each request's JSON is validated
 * against its command's schema before anything is done; a malformed request, an unknown command or a refusal by
 * the service gets `{status:"error", error}` and changes nothing. The effect itself belongs to the service, behind
 * `BridgeCommands`.
 */
import type { MqttClient } from 'mqtt';
import { z } from 'zod';
import type { Logger } from '../service/logger.ts';
import type { Outbox } from './outbox.ts';
import type { Topics } from './topics.ts';

const AthleteId = z.string().regex(/^[a-z0-9-]{1,32}$/, 'athlete must be an id of 1–32 characters a-z, 0-9, -');
const Transaction = z.union([z.string().max(128), z.number()]);
const base = { athlete: AthleteId, transaction: Transaction.optional() };

export const RequestSchemas = {
  calibrate: z.strictObject({ ...base, kind: z.enum(['standing', 'tilt_range', 'max_flexion']) }),
  set_start: z.strictObject(base),
  set_stop: z.strictObject(base),
  set_cutoff: z.strictObject({ ...base, cutoff_cm: z.number().min(0).max(150).nullable() }),
  set_wink_threshold: z.strictObject({ ...base, wink_threshold_deg: z.number().min(0).max(90) }),
  name_athlete: z.strictObject({ ...base, name: z.string().trim().min(1).max(64) }),
} as const;

export type CommandName = keyof typeof RequestSchemas;
export type CommandRequest<C extends CommandName> = Omit<z.infer<(typeof RequestSchemas)[C]>, 'transaction'>;

/** What a command may answer with (sent as `data`); undefined: no data. */
export type CommandData = unknown;

/** The service's side of the commands. Throw `CommandError` to refuse with a message the requester sees. */
export interface BridgeCommands {
  calibrate(request: CommandRequest<'calibrate'>): Promise<CommandData>;
  setStart(request: CommandRequest<'set_start'>): Promise<CommandData>;
  setStop(request: CommandRequest<'set_stop'>): Promise<CommandData>;
  setCutoff(request: CommandRequest<'set_cutoff'>): Promise<CommandData>;
  setWinkThreshold(request: CommandRequest<'set_wink_threshold'>): Promise<CommandData>;
  nameAthlete(request: CommandRequest<'name_athlete'>): Promise<CommandData>;
}

/** A refusal meant for the requester (unknown athlete, no sensor connected, …). */
export class CommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandError';
  }
}

export interface BridgeResponse {
  readonly transaction: string | number | null;
  readonly status: 'ok' | 'error';
  readonly error?: string;
  readonly data?: CommandData;
}

const MAX_REQUEST_BYTES = 4096;
/** Requests being executed at once; beyond it the requester is told to retry, so nothing queues unbounded. */
const MAX_CONCURRENT = 16;

type Dispatch = { [C in CommandName]: (commands: BridgeCommands, request: CommandRequest<C>) => Promise<CommandData> };
/** Which BridgeCommands method serves each command (MQTT requests and the REST API alike). */
export const dispatch: Dispatch = {
  calibrate: (c, r) => c.calibrate(r),
  set_start: (c, r) => c.setStart(r),
  set_stop: (c, r) => c.setStop(r),
  set_cutoff: (c, r) => c.setCutoff(r),
  set_wink_threshold: (c, r) => c.setWinkThreshold(r),
  name_athlete: (c, r) => c.nameAthlete(r),
};

function isCommand(name: string): name is CommandName {
  return Object.hasOwn(RequestSchemas, name);
}

/** The transaction of a payload even when the rest is invalid, so the error still reaches the right requester. */
function transactionOf(body: unknown): string | number | null {
  if (body === null || typeof body !== 'object') return null;
  const parsed = Transaction.safeParse((body as Record<string, unknown>).transaction);
  return parsed.success ? parsed.data : null;
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

export class BridgeRequests {
  private running = 0;

  constructor(
    private readonly topics: Topics,
    client: MqttClient,
    private readonly outbox: Outbox,
    private readonly commands: BridgeCommands,
    private readonly logger: Logger,
  ) {
    // MQTT.js queues the SUBSCRIBE until connected and renews it after every reconnect (clean session).
    client.subscribe(topics.requestFilter, { qos: 1 });
    client.on('message', (topic, payload, packet) => {
      const command = topics.commandOf(topic);
      if (command === null) return;
      // A retained request would be re-executed at every (re)subscription: never act on one.
      if (packet.retain) {
        this.logger.warn('mqtt: ignoring a retained request', { topic });
        return;
      }
      void this.handle(command, payload);
    });
  }

  /** Validates and executes one request, then publishes the response. */
  async handle(command: string, payload: Buffer): Promise<void> {
    const response = await this.answer(command, payload);
    if (response.status === 'error') this.logger.warn('mqtt request refused', { command, error: response.error });
    this.outbox.send(this.topics.response(command), response, false);
  }

  private async answer(command: string, payload: Buffer): Promise<BridgeResponse> {
    let body: unknown;
    if (payload.length > MAX_REQUEST_BYTES) return fail(null, `request larger than ${MAX_REQUEST_BYTES} bytes`);
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      return fail(null, 'payload is not JSON');
    }
    const transaction = transactionOf(body);
    if (!isCommand(command)) {
      return fail(transaction, `unknown command "${command}"; known: ${Object.keys(RequestSchemas).join(', ')}`);
    }
    const parsed = RequestSchemas[command].safeParse(body);
    if (!parsed.success) return fail(transaction, describe(parsed.error));
    if (this.running >= MAX_CONCURRENT) return fail(transaction, 'busy: too many requests in progress, retry');
    const { transaction: _omit, ...request } = parsed.data;
    this.running += 1;
    try {
      const run = dispatch[command] as (c: BridgeCommands, r: typeof request) => Promise<CommandData>;
      const data = await run(this.commands, request);
      return data === undefined ? { transaction, status: 'ok' } : { transaction, status: 'ok', data };
    } catch (err) {
      if (err instanceof CommandError) return fail(transaction, err.message);
      // Internal failures are logged in full but not described to a network client.
      this.logger.error('mqtt request failed', { command, error: (err as Error).message });
      return fail(transaction, 'internal error');
    } finally {
      this.running -= 1;
    }
  }
}

function fail(transaction: string | number | null, error: string): BridgeResponse {
  return { transaction, status: 'error', error };
}
