/**
 * The historian's MQTT side: subscribes to `<root>/#` on the external broker every gateway publishes to and
 * hands each message to the ingest (historian-ingest.ts). It publishes nothing — no bridge state, no answers
 * to requests: the gateways by the racks own those.
 *
 * Session: `clean: false` with a fixed client id, so while the historian is down or cut off the broker keeps
 * its subscription and queues the QoS 1 messages (reps, cues, summaries, sensor states) for it — within the
 * broker's limits (Mosquitto: `max_queued_messages`, 1000 by default) — and delivers them at reconnect. Live
 * frames are QoS 0 and are not queued. The subscription is renewed on every connect, in case the broker lost
 * the session (restarted without persistence).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { IClientOptions } from 'mqtt';
import { displayUrl, shownClientId, tlsClientOptions } from '../mqtt/connection.ts';
import { guardAgainstTakeover } from '../mqtt/takeover-guard.ts';
import type { TakeoverGuardLimits } from '../mqtt/takeover-guard.ts';
import type { HistoryStore } from '../store/history-store.ts';
import type { Athlete, GatewayEvent } from '../core/domain.ts';
import { HistorianIngest } from './historian-ingest.ts';
import type { HistorianIngestStats } from './historian-ingest.ts';
import type { MessageTrust } from './historian-messages.ts';
import type { Logger } from '../core/logger.ts';
import type { Source, SourceHost } from '../sources/source.ts';

export interface HistorianBroker {
  /** mqtt:// or mqtts:// URL of the broker the gateways publish to. */
  readonly url: string;
  readonly root: string;
  readonly username: string | null;
  readonly password: string | null;
  readonly caFile: string | null;
  readonly certFile: string | null;
  readonly keyFile: string | null;
  readonly rejectUnauthorized: boolean;
}

export interface HistorianOptions {
  readonly broker: HistorianBroker;
  /** Fixed per historian (historianClientId). */
  readonly clientId: string;
  /** Whom to believe: the gateways' signing keys, or the broker's ACL. */
  readonly trust: MessageTrust;
  readonly store: HistoryStore;
  readonly emit: (event: GatewayEvent) => void;
  readonly logger: Logger;
  /** Reconnect delay, ms. Default 2000. */
  readonly reconnectMs?: number;
  /** When a takeover loop is declared (takeover-guard.ts); defaults suit production. */
  readonly takeover?: TakeoverGuardLimits;
}

export interface HistorianStats extends HistorianIngestStats {
  readonly connected: boolean;
}

export interface Historian {
  /** The broker, without credentials. */
  readonly url: string;
  readonly clientId: string;
  /** Every athlete seen so far (and those already in the history), for the dashboard's live snapshot. */
  athletes(): Athlete[];
  stats(): HistorianStats;
  close(): Promise<void>;
}

const CLIENT_ID_FILE = 'historian-client-id';
const CLIENT_ID_PATTERN = /^sqm-h-[0-9a-f]{16}$/;

/**
 * The historian's client id: random (64 bits) so nobody can guess it and take over its session, made once and kept
 * in the data folder so the broker's session — and the messages it queued while we were away — is ours again
 * after a restart. At most 23 characters (MQTT 3.1). Another historian needs its own data folder (the folder is
 * locked), so two never share an id.
 */
export function historianClientId(dataDir: string): string {
  const file = join(dataDir, CLIENT_ID_FILE);
  try {
    const kept = readFileSync(file, 'utf8').trim();
    if (CLIENT_ID_PATTERN.test(kept)) return kept;
  } catch {
    // None yet: made below.
  }
  const made = `sqm-h-${randomBytes(8).toString('hex')}`;
  writeFileSync(file, `${made}\n`, { mode: 0o600 });
  return made;
}

/** Starts subscribing; resolves at once (the broker may still be unreachable: it keeps trying, logging why). */
export async function startHistorian(options: HistorianOptions): Promise<Historian> {
  const { broker, logger } = options;
  const clientId = options.clientId;
  const filter = `${broker.root}/#`;
  const url = displayUrl(broker.url);
  const ingest = new HistorianIngest({ root: broker.root, store: options.store, emit: options.emit, logger, trust: options.trust });
  logger.info('historian trusts', {
    gateways: options.trust === 'broker' ? 'whatever the broker delivers (trustBroker)' : [...options.trust.gatewayKeys.keys()].join(', '),
  });
  await ingest.load();

  const clientOptions: IClientOptions = {
    clientId,
    clean: false,
    protocolVersion: 4,
    keepalive: 30,
    reconnectPeriod: options.reconnectMs ?? 2_000,
    connectTimeout: 10_000,
    resubscribe: false,
    ...(broker.username === null ? {} : { username: broker.username }),
    ...(broker.password === null ? {} : { password: broker.password }),
    ...tlsClientOptions(broker),
  };
  const client = mqtt.connect(broker.url, clientOptions);
  let closed = false;
  client.on('connect', (connack) => {
    logger.info('historian connected', { url, client: shownClientId(clientId), resumed_session: connack.sessionPresent });
    client.subscribe(filter, { qos: 1 }, (err) => {
      if (err) logger.error('historian: subscription refused', { filter, error: err.message });
      else logger.info('historian subscribed', { filter });
    });
  });
  guardAgainstTakeover(client, logger, 'historian', options.takeover);
  client.on('message', (topic, payload, packet) => ingest.accept(topic, payload, packet.retain));
  client.on('offline', () => {
    if (!closed) logger.warn('historian: broker unreachable, reconnecting (the broker queues what we miss)', { url });
  });
  client.on('error', (err) => {
    // The broker may reset the socket as we disconnect: not worth a warning once we chose to close.
    if (!closed) logger.warn('historian: mqtt connection error', { url, error: err.message });
  });

  return {
    url,
    clientId,
    athletes: () => ingest.knownAthletes(),
    stats: () => ({ ...ingest.stats(), connected: client.connected }),
    close: async () => {
      if (closed) return;
      closed = true;
      // A clean DISCONNECT keeps the session on the broker (clean: false): what arrives next waits for us.
      await client.endAsync(!client.connected);
      logger.info('historian disconnected', { url });
    },
  };
}

/**
 * Source `historian`: no sensors and no athletes of its own — the facts come from the gateways publishing to the
 * external broker and go straight to the sinks (the history, the dashboard).
 */
export class HistorianSource implements Source {
  readonly athletes: readonly Athlete[] = [];
  readonly done: Promise<Error | null> = new Promise(() => {});
  /** The running historian, once started: the dashboard asks it for the athletes seen and the broker's URL. */
  running: Historian | null = null;

  constructor(private readonly options: Omit<HistorianOptions, 'emit' | 'logger'>) {}

  async start(host: SourceHost): Promise<void> {
    this.running = await startHistorian({ ...this.options, emit: (event) => host.emit(event), logger: host.logger });
  }

  async stop(): Promise<void> {
    await this.running?.close();
  }
}
