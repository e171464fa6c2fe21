/**
 * The embedded MQTT broker (aedes) the gateway starts unless told to use an external one. Loopback by default;
 * any other address requires credentials. The gateway's own client authenticates with a per-process secret so the
 * ACL (acl.ts) can tell it from everyone else.
 *
 * Port already taken (typically a Mosquitto on 1883): we refuse to start and say exactly what to do, naming
 * both remedies. We neither publish to the broker found there (it may be someone else's broker with its own
 * retained topics and ACLs: publishing into it needs the user's consent, i.e. `--mqtt-url`) nor fall back to a
 * random free port (Home Assistant, Node-RED and the like are configured with a fixed port; a port that changes
 * every start breaks them silently while the log line scrolls away). One flag fixes it, and the probe tells the
 * user whether the thing on the port is an MQTT broker, which decides which flag they want.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import { Aedes } from 'aedes';
import type { AuthenticateError, Client } from 'aedes';
import mqtt from 'mqtt';
import type { Logger } from '../core/logger.ts';
import { mayPublish, RetainedBudget } from './acl.ts';
import { SlowClientShedder } from './slow-client-shedder.ts';
import type { EmbeddedBrokerStats } from './slow-client-shedder.ts';
import type { Topics } from './topics.ts';
import { DEFAULT_MQTT_HOST, DEFAULT_MQTT_PORT } from '../config/config.ts';
import { PacketSizeGuard } from './packet-guard.ts';


/** MQTT CONNACK return codes (aedes' AuthErrorCode is an ambient const enum, unusable under isolatedModules). */
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

/**
 * A client that stops reading stalls aedes' delivery of every message routed to it; after this long it is
 * disconnected so the broker (in the gateway's own process) never buffers for it without bound.
 */
const DRAIN_TIMEOUT_MS = 5_000;

/**
 * What the broker buffers for one client beyond the kernel's socket buffers before it sheds that client's live
 * frames (the sockets' high-water mark): room for a burst to a client that reads (a few thousand live frames),
 * a bound for one that does not.
 */
const CLIENT_BUFFER_BYTES = 256 * 1024;

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export interface GatewayLogin extends Credentials {
  readonly clientId: string;
}

export interface EmbeddedBrokerOptions {
  readonly topics: Topics;
  readonly logger: Logger;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 1883; 0 picks a free port. */
  readonly port?: number;
  /** Credentials every other client must present; null/absent: anonymous clients allowed (loopback only). */
  readonly credentials?: Credentials | null;
  /** The gateway client's login; absent: a fresh random secret. Pass the previous one to restart the broker. */
  readonly gatewayLogin?: GatewayLogin;
  /** Default client id of the gateway (used when `gatewayLogin` is absent). */
  readonly gatewayClientId?: string;
  /** An aedes persistence to reuse (sessions, retained messages), e.g. the one of a previous instance. */
  readonly persistence?: unknown;
}

export interface EmbeddedBroker {
  /** `mqtt://host:port` with the port actually bound. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The login the gateway's MQTT client must use (never logged). */
  readonly gatewayLogin: GatewayLogin;
  /** The broker's session and retained-message store, to hand to a restarted instance. */
  readonly persistence: unknown;
  stats(): EmbeddedBrokerStats;
  close(): Promise<void>;
}

export class PortInUseError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly otherIsMqttBroker: boolean,
  ) {
    const what = otherIsMqttBroker ? 'another MQTT broker (e.g. Mosquitto) is already listening there' : 'another program is using it';
    super(
      `cannot start the embedded MQTT broker on ${host}:${port}: ${what}. ` +
        (otherIsMqttBroker ? `To publish to that broker instead, start with --mqtt-url mqtt://${urlHost(host)}:${port} ; ` : '') +
        `to run the embedded broker on another port, start with --mqtt-port ${port === 65535 ? 1884 : port + 1} (any free port)`,
    );
    this.name = 'PortInUseError';
  }
}

export class InsecureBindError extends Error {
  constructor(readonly host: string) {
    super(
      `refusing to start the embedded MQTT broker on ${host} without credentials: it would accept anyone on the network. ` +
        `Set an MQTT username and password, or bind 127.0.0.1`,
    );
    this.name = 'InsecureBindError';
  }
}

export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || /^::ffff:127\.\d+\.\d+\.\d+$/.test(h);
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function sameSecret(given: string | Buffer | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.isBuffer(given) ? given : Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function authError(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

/** Time a new connection has to send its CONNECT, ms. */
const CONNECT_TIMEOUT_MS = 5_000;
/** Connections at once that have not sent a whole CONNECT header yet. */
const MAX_PENDING_CONNECTIONS = 256;

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { topics, logger } = options;
  const host = options.host ?? DEFAULT_MQTT_HOST;
  const requestedPort = options.port ?? DEFAULT_MQTT_PORT;
  const credentials = options.credentials ?? null;
  if (!isLoopback(host) && credentials === null) throw new InsecureBindError(host);

  const gatewayLogin: GatewayLogin = options.gatewayLogin ?? {
    clientId: options.gatewayClientId ?? `squatmon-gw-${randomBytes(4).toString('hex')}`,
    username: 'squatmon-gateway',
    password: randomBytes(24).toString('base64url'),
  };
  const gatewayClients = new WeakSet<Client>();
  const shedder = new SlowClientShedder(logger);
  const retained = new RetainedBudget();

  const aedes = await Aedes.createBroker({
    ...(options.persistence === undefined ? {} : { persistence: options.persistence }),
    drainTimeout: DRAIN_TIMEOUT_MS,
    // A client that connects must log in within this time (aedes' default is 30 s).
    connectTimeout: CONNECT_TIMEOUT_MS,
    authenticate: (client, username, password, done) => {
      if (username === gatewayLogin.username) {
        if (sameSecret(password, gatewayLogin.password)) {
          gatewayClients.add(client);
          return done(null, true);
        }
        logger.warn('mqtt client rejected: bad gateway login', { client: client.id });
        return done(authError('bad username or password', BAD_USERNAME_OR_PASSWORD), false);
      }
      if (client.id === gatewayLogin.clientId) {
        // Connecting with the gateway's client id would kick the gateway off the broker.
        logger.warn('mqtt client rejected: uses the gateway client id', { client: client.id });
        return done(authError('client id reserved for the gateway', NOT_AUTHORIZED), false);
      }
      if (credentials === null) return done(null, true);
      if (username === credentials.username && sameSecret(password, credentials.password)) return done(null, true);
      if (username === undefined) {
        logger.warn('mqtt client rejected: no credentials', { client: client.id });
        return done(authError('credentials required', NOT_AUTHORIZED), false);
      }
      logger.warn('mqtt client rejected: bad username or password', { client: client.id });
      return done(authError('bad username or password', BAD_USERNAME_OR_PASSWORD), false);
    },
    authorizePublish: (client, packet, done) => {
      // client is null for the broker's own messages ($SYS heartbeats).
      const principal = client === null || gatewayClients.has(client) ? 'gateway' : 'client';
      if (!mayPublish(topics, principal, packet.topic)) {
        logger.warn('mqtt publish denied', { client: client?.id, topic: packet.topic });
        return done(new Error(`not allowed to publish to ${packet.topic}`));
      }
      if (principal === 'client' && packet.retain && !retained.admit(packet.topic, packet.payload.length)) {
        logger.warn('mqtt retained publish denied: the clients\' retained messages are at their bound', { client: client?.id, topic: packet.topic });
        return done(new Error('too many retained messages'));
      }
      done(null);
    },
    // One stalled subscriber must not hold back the others (slow-client-shedder.ts).
    authorizeForward: (client, packet) => shedder.forward(client, packet),
  });
  const persistence = (aedes as unknown as { persistence: unknown }).persistence;

  // No Nagle: MQTT packets are small and latency matters (a cue); with Nagle and delayed ACKs a publish can
  // wait ~40 ms on loopback.
  // Connections that have not yet sent a whole CONNECT header: bounded, so a flood of idle sockets is too.
  const pending = new Set<net.Socket>();
  const server = net.createServer({ highWaterMark: CLIENT_BUFFER_BYTES }, (socket) => {
    socket.setNoDelay(true);
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    if (pending.size >= MAX_PENDING_CONNECTIONS) {
      logger.warn('mqtt connection refused: too many connections that have not logged in', { peer, pending: pending.size });
      socket.destroy();
      return;
    }
    pending.add(socket);
    socket.once('close', () => pending.delete(socket));
    aedes.handle(socket);
    // After aedes: its 'readable' listener keeps control of the flow; 'data' shows each chunk as it is read,
    // before the parser buffers it (packet-guard.ts).
    const guard = new PacketSizeGuard();
    socket.on('data', (chunk: Buffer) => {
      const verdict = guard.inspect(chunk);
      if (guard.packetsSeen > 0) pending.delete(socket);
      if (verdict.ok) return;
      logger.warn('mqtt connection refused: packet too large or malformed', { peer, reason: verdict.reason });
      socket.destroy();
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(requestedPort, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      // The caller decides: report it (the start command prints it and exits 2) or fall back to a free port.
      throw new PortInUseError(host, requestedPort, await probeMqttBroker(host, requestedPort));
    }
    throw err;
  }
  server.on('error', (err) => logger.error('mqtt broker socket error', { error: err.message }));

  const port = (server.address() as net.AddressInfo).port;
  const url = `mqtt://${urlHost(host)}:${port}`;
  logger.info('embedded mqtt broker listening', { url, auth: credentials === null ? 'anonymous' : 'username+password' });

  let closing: Promise<void> | null = null;
  return {
    url,
    host,
    port,
    gatewayLogin,
    persistence,
    stats: () => shedder.stats(),
    close: () => {
      closing ??= (async () => {
        // aedes closes every client connection; then the listener can finish closing.
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
        await new Promise<void>((resolve) => server.close(() => resolve()));
        logger.info('embedded mqtt broker stopped', { url });
      })();
      return closing;
    },
  };
}

/** Whether an MQTT broker answers on host:port (any CONNACK counts, even a refusal). */
export async function probeMqttBroker(host: string, port: number, timeoutMs = 1500): Promise<boolean> {
  const client = mqtt.connect({
    host,
    port,
    protocol: 'mqtt',
    clientId: `squatmon-probe-${randomBytes(4).toString('hex')}`,
    reconnectPeriod: 0,
    connectTimeout: timeoutMs,
  });
  const answer = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    const settle = (isBroker: boolean) => {
      clearTimeout(timer);
      resolve(isBroker);
    };
    client.once('connect', () => settle(true));
    // A refused CONNACK carries a numeric return code; socket errors carry string codes.
    client.once('error', (err) => settle(typeof (err as { code?: unknown }).code === 'number'));
    client.once('close', () => settle(false));
  });
  client.end(true);
  return answer;
}
