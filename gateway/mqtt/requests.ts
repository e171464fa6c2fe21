/**
 * `<root>/bridge/request/<command>` → `<root>/bridge/response/<command>`: each request's JSON is validated
 * against its command's schema before anything is done; a malformed request, an unknown command or a refusal by
 * the service gets `{status:"error", error}` and changes nothing. The effect itself belongs to the service, behind
 * `BridgeCommands`.
 */
import type { MqttClient } from 'mqtt';
import { z } from 'zod';
import type { Logger } from '../core/logger.ts';
import type { BridgeCommands, CommandData } from '../core/commands.ts';
import { CommandError, dispatch, isCommand, RequestSchemas, Transaction } from '../core/commands.ts';
import type { Outbox } from './outbox.ts';
import type { Topics } from './topics.ts';

export interface BridgeResponse {
  readonly transaction: string | number | null;
  readonly status: 'ok' | 'error';
  readonly error?: string;
  readonly data?: CommandData;
}

const MAX_REQUEST_BYTES = 4096;
/** Requests being executed at once; beyond it the requester is told to retry, so nothing queues unbounded. */
const MAX_CONCURRENT = 16;

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
