/**
 * The gateway's one MQTT client: connects to the embedded broker or an external one (mqtt:// or mqtts:// with
 * username/password and TLS files), announces `bridge/state` online (retained) on every connect with the Last
 * Will offline, reconnects with exponential backoff, and says offline explicitly on a graceful close.
 *
 * Client id: random at every start unless configured (defaultClientId), so nobody can guess it and knock the
 * gateway off; a takeover loop (another client with the same id) is detected and not fought (takeover-guard.ts).
 *
 * Session: `clean: true`. Reps survive an outage without a broker session:
 * messages produced while disconnected wait in the bounded outbox (outbox.ts), and MQTT.js resends its
 * unacknowledged QoS 1 publishes on reconnect whatever `clean` says. What a persistent session would add is the
 * broker queueing *requests* for us while we are away, and replaying them at reconnect: a `set_start` sent ten
 * minutes ago to a gateway that was off should not start a set now; the requester got no response and can retry.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import type { Logger } from '../core/logger.ts';
import type { Topics } from './topics.ts';
import { guardAgainstTakeover } from './takeover-guard.ts';
import { setReconnectDelay } from './reconnect-timer.ts';
import type { TakeoverGuardLimits } from './takeover-guard.ts';

export interface TlsFiles {
  /** PEM CA bundle to trust (e.g. a self-signed broker's CA). */
  readonly caFile?: string;
  /** Client certificate and key, for brokers that authenticate clients by certificate. */
  readonly certFile?: string;
  readonly keyFile?: string;
  /** Default true; false only for testing against a broker whose certificate cannot be verified. */
  readonly rejectUnauthorized?: boolean;
}

export interface ConnectionOptions {
  /** mqtt://host:port or mqtts://host:port. Credentials in the URL are accepted but prefer the fields. */
  readonly url: string;
  readonly clientId: string;
  readonly username?: string;
  readonly password?: string;
  readonly tls?: TlsFiles;
  /** Reconnect backoff: first delay, doubling up to the maximum. Defaults 1 s → 30 s. */
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
  readonly keepaliveSeconds?: number;
  /** When a takeover loop is declared (defaults suit production, tests shorten them). */
  readonly takeover?: TakeoverGuardLimits;
}

export interface GatewayConnection {
  readonly client: MqttClient;
  /** Runs after `bridge/state` online was sent, on the first connect and every reconnect. */
  onConnect(listener: () => void): void;
  /** Publishes `bridge/state` offline (when connected), then disconnects cleanly. */
  close(): Promise<void>;
}

/**
 * A fresh random client id (64 bits), short enough for any broker (MQTT 3.1 allows 23 characters). The gateway's
 * session is clean, so nothing is lost by a new id at each start; an id derived from the host name was
 * predictable, and anyone on the broker could take the gateway's connection over with it.
 */
export function defaultClientId(): string {
  return `sqm-gw-${randomBytes(8).toString('hex')}`;
}

/**
 * A client id as logs show it: its start only. Whoever reads a log (or a bug report it was pasted into) must not
 * learn enough to connect with the same id and knock the client off.
 */
export function shownClientId(id: string): string {
  return id.length <= 8 ? '…' : `${id.slice(0, 8)}…`;
}

/** Delay before reconnect attempt `attempt` (0-based): min·2^attempt, capped. */
export function reconnectDelayMs(attempt: number, minMs: number, maxMs: number): number {
  return Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
}

/** The URL without user information, for logs. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(invalid url)';
  }
}

function readTlsFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read the MQTT TLS ${what} file ${path}: ${(err as Error).message}`);
  }
}

/** The TLS files of an mqtts:// connection, read now (a missing file is one clear error), as mqtt.js options. */
export function tlsClientOptions(tls: {
  readonly caFile?: string | null;
  readonly certFile?: string | null;
  readonly keyFile?: string | null;
  readonly rejectUnauthorized?: boolean;
}): Pick<IClientOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized'> {
  return {
    ...(tls.caFile == null ? {} : { ca: readTlsFile(tls.caFile, 'CA') }),
    ...(tls.certFile == null ? {} : { cert: readTlsFile(tls.certFile, 'certificate') }),
    ...(tls.keyFile == null ? {} : { key: readTlsFile(tls.keyFile, 'key') }),
    rejectUnauthorized: tls.rejectUnauthorized ?? true,
  };
}

const STATE_ONLINE = JSON.stringify({ state: 'online' });
const STATE_OFFLINE = JSON.stringify({ state: 'offline' });

export function connectGateway(options: ConnectionOptions, topics: Topics, logger: Logger): GatewayConnection {
  const protocol = new URL(options.url).protocol;
  if (protocol !== 'mqtt:' && protocol !== 'mqtts:') {
    throw new Error(`unsupported MQTT URL ${displayUrl(options.url)}: use mqtt:// or mqtts://`);
  }
  const minMs = options.reconnectMinMs ?? 1_000;
  const maxMs = options.reconnectMaxMs ?? 30_000;
  const tls = options.tls ?? {};
  const clientOptions: IClientOptions = {
    clientId: options.clientId,
    clean: true,
    protocolVersion: 4,
    keepalive: options.keepaliveSeconds ?? 30,
    reconnectPeriod: minMs,
    connectTimeout: 10_000,
    // Live frames are never queued while offline; QoS 1 traffic waits in our bounded outbox instead.
    queueQoSZero: false,
    will: { topic: topics.bridgeState, payload: Buffer.from(STATE_OFFLINE), qos: 1, retain: true },
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
    ...tlsClientOptions(tls),
  };
  const url = displayUrl(options.url);
  const client = mqtt.connect(options.url, clientOptions);
  const listeners: Array<() => void> = [];
  let attempt = 0;
  let closed = false;

  client.on('connect', () => {
    // No Nagle on the gateway's own socket either (see embedded-broker.ts): a cue must not wait for an ACK.
    (client.stream as { setNoDelay?: (noDelay: boolean) => void } | undefined)?.setNoDelay?.(true);
    attempt = 0;
    client.options.reconnectPeriod = minMs;
    logger.info('mqtt connected', { url, client: shownClientId(options.clientId) });
    client.publish(topics.bridgeState, STATE_ONLINE, { qos: 1, retain: true });
    for (const listener of listeners) listener();
  });
  client.on('reconnect', () => {
    // MQTT.js retries on a fixed interval; the next close waits the next backoff delay instead.
    attempt += 1;
    setReconnectDelay(client, reconnectDelayMs(attempt, minMs, maxMs), false);
  });
  client.on('offline', () => {
    if (!closed) logger.warn('mqtt disconnected, reconnecting with backoff', { url });
  });
  client.on('error', (err) => logger.warn('mqtt connection error', { url, error: err.message }));
  guardAgainstTakeover(client, logger, 'gateway', options.takeover);

  return {
    client,
    onConnect: (listener) => void listeners.push(listener),
    close: async () => {
      if (closed) return;
      closed = true;
      if (client.connected) {
        try {
          await client.publishAsync(topics.bridgeState, STATE_OFFLINE, { qos: 1, retain: true });
        } catch (err) {
          logger.warn('mqtt: could not publish bridge offline', { error: (err as Error).message });
        }
        await client.endAsync();
      } else {
        await client.endAsync(true);
      }
      logger.info('mqtt disconnected', { url });
    },
  };
}
