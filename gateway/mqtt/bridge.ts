/**
 * Composes the MQTT side of the gateway: the embedded broker (unless an external URL is configured), the
 * gateway's client, the outbox, the event sink, the request handler and, when enabled, Home Assistant discovery.
 * The composition root calls `startMqttBridge` once, feeds it every `GatewayEvent`, prints `url`, and awaits
 * `close()` on shutdown.
 */
import type { MqttConfig } from '../config/config.ts';
import type { GatewayEvent } from '../core/domain.ts';
import type { Logger } from '../core/logger.ts';
import { connectGateway, defaultClientId, displayUrl, shownClientId } from './connection.ts';
import type { ConnectionOptions } from './connection.ts';
import { startEmbeddedBroker } from './embedded-broker.ts';
import type { EmbeddedBroker } from './embedded-broker.ts';
import { HomeAssistantDiscovery } from './ha-discovery.ts';
import { Outbox } from './outbox.ts';
import type { OutboxLimits, OutboxStats } from './outbox.ts';
import { MqttSink } from './publisher.ts';
import type { MqttSinkStats } from './publisher.ts';
import { BridgeRequests } from './requests.ts';
import type { BridgeCommands } from '../core/commands.ts';
import { topicsFor } from './topics.ts';
import { plainEncoder, signingEncoder } from './signing.ts';

export type { MqttConfig } from '../config/config.ts';

export interface MqttBridgeDeps {
  readonly logger: Logger;
  readonly commands: BridgeCommands;
  /** Reconnect backoff and outbox bounds; defaults suit production, tests shorten them. */
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
  readonly outbox?: OutboxLimits;
  /** Reuse an embedded broker's state across a restart (see EmbeddedBroker.persistence). */
  readonly brokerPersistence?: unknown;
}

export interface MqttBridgeStats extends MqttSinkStats {
  readonly outbox: OutboxStats;
  readonly connected: boolean;
}

export interface MqttBridge {
  /** Where subscribers connect (without credentials), e.g. `mqtt://127.0.0.1:1883`. */
  readonly url: string;
  /** The embedded broker, null with an external one. */
  readonly broker: EmbeddedBroker | null;
  readonly clientId: string;
  handle(event: GatewayEvent): void;
  stats(): MqttBridgeStats;
  /** Diagnostics (benchmarks): called with the topic each time a PUBLISH has been written to the broker. */
  onPublishSent(listener: (topic: string) => void): void;
  close(): Promise<void>;
}

/** Throws PortInUseError / InsecureBindError (embedded-broker.ts) or a config error; nothing is left running. */
export async function startMqttBridge(config: MqttConfig, deps: MqttBridgeDeps): Promise<MqttBridge> {
  const { logger } = deps;
  const topics = topicsFor(config.root);
  const clientId = config.clientId ?? defaultClientId();
  const credentials =
    config.username !== null && config.password !== null ? { username: config.username, password: config.password } : null;
  if ((config.username === null) !== (config.password === null)) {
    throw new Error('MQTT username and password must be given together');
  }

  let broker: EmbeddedBroker | null = null;
  let connection: ConnectionOptions;
  const backoff = {
    ...(deps.reconnectMinMs === undefined ? {} : { reconnectMinMs: deps.reconnectMinMs }),
    ...(deps.reconnectMaxMs === undefined ? {} : { reconnectMaxMs: deps.reconnectMaxMs }),
  };
  if (config.url === null) {
    broker = await startEmbeddedBroker({
      topics,
      logger,
      host: config.host,
      port: config.port,
      credentials,
      gatewayClientId: clientId,
      ...(deps.brokerPersistence === undefined ? {} : { persistence: deps.brokerPersistence }),
    });
    connection = { url: broker.url, ...broker.gatewayLogin, ...backoff };
  } else {
    connection = {
      url: config.url,
      clientId,
      ...(credentials ?? {}),
      tls: {
        ...(config.caFile === null ? {} : { caFile: config.caFile }),
        ...(config.certFile === null ? {} : { certFile: config.certFile }),
        ...(config.keyFile === null ? {} : { keyFile: config.keyFile }),
        rejectUnauthorized: config.rejectUnauthorized,
      },
      ...backoff,
    };
  }

  let gateway;
  try {
    gateway = connectGateway(connection, topics, logger);
  } catch (err) {
    await broker?.close();
    throw err;
  }
  const { client } = gateway;
  const encode = config.signer !== null && config.signingKey !== null ? signingEncoder({ signer: config.signer, key: config.signingKey }, topics.root) : plainEncoder;
  const outbox = new Outbox(client, logger, deps.outbox, encode);
  const sink = new MqttSink(topics, client, outbox, logger, encode);
  new BridgeRequests(topics, client, outbox, deps.commands, logger);
  const discovery = config.homeAssistant
    ? new HomeAssistantDiscovery(topics, client, outbox, { prefix: config.homeAssistantPrefix })
    : null;
  const url = broker?.url ?? displayUrl(connection.url);
  logger.info('mqtt publishing', {
    url,
    broker: broker === null ? 'external' : 'embedded',
    root: topics.root,
    client: shownClientId(clientId),
    home_assistant: config.homeAssistant,
    signed_as: config.signer,
  });

  let closing: Promise<void> | null = null;
  return {
    url,
    broker,
    clientId,
    handle: (event) => {
      sink.handle(event);
      discovery?.handle(event);
    },
    stats: () => ({ ...sink.stats(), outbox: outbox.stats(), connected: client.connected }),
    onPublishSent: (listener) => {
      client.on('packetsend', (packet) => {
        if (packet.cmd === 'publish') listener(packet.topic);
      });
    },
    close: () => {
      closing ??= (async () => {
        // Give queued reps a moment to reach a connected broker before saying offline.
        if (client.connected) await outbox.drained(2_000);
        await gateway.close();
        await broker?.close();
      })();
      return closing;
    },
  };
}
