/**
 * The gateway's configuration: one zod schema gives the types and the validation. Sources, later ones winning:
 * defaults < config file (--config FILE, JSON) < environment (SQUATMON_*) < command-line flags.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { PLACEMENTS, SENSOR_FACES } from '../../shared/imu.ts';
import { DEFAULT_WINK_THRESHOLD_DEG } from '../../shared/posture.ts';
import { redact } from '../core/logger.ts';
import { athleteIdSchema, SIGNER_NAME_RULE, SIGNER_PATTERN, signerNameSchema } from '../core/ids.ts';
import { DRIVER_NAMES } from '../ble/drivers/index.ts';

const port = z.number().int().min(0).max(65535);
/** A shared secret (dashboard token, signing key): long enough not to be guessed, not padding. */
const secretSchema = z.string().refine((t) => t.replace(/\s/g, '').length >= 16, 'at least 16 characters that are not spaces');

export const DEFAULT_MQTT_ROOT = 'squatmon';
/** A root is one or more plain topic levels: no wildcards, no empty levels, no leading/trailing slash. */
export const MQTT_ROOT_PATTERN = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;
export const DEFAULT_MQTT_HOST = '127.0.0.1';
export const DEFAULT_MQTT_PORT = 1883;
export const DEFAULT_DISCOVERY_PREFIX = 'homeassistant';

/** The MQTT side (`mqtt` in the config file): the only definition; the bridge and the historian take it as parsed here. */
export const mqttConfigSchema = z.strictObject({
  /** Root topic. */
  root: z.string().regex(MQTT_ROOT_PATTERN, 'topic levels without wildcards').default(DEFAULT_MQTT_ROOT),
  /** External broker (`--mqtt-url`, mqtt:// or mqtts://); null: run the embedded broker. */
  url: z.string().regex(/^mqtts?:\/\/.+/, 'an mqtt:// or mqtts:// URL').nullable().default(null),
  /** Embedded broker address (`--mqtt-port`); a non-loopback host requires username and password. */
  host: z.string().min(1).default(DEFAULT_MQTT_HOST),
  port: port.default(DEFAULT_MQTT_PORT),
  /** Embedded: what other clients must present. External: what the gateway logs in with. */
  username: z.string().min(1, 'empty: leave it out instead').nullable().default(null),
  password: z.string().min(1, 'empty: leave it out instead').nullable().default(null),
  /** TLS files for an mqtts:// external broker. */
  caFile: z.string().nullable().default(null),
  certFile: z.string().nullable().default(null),
  keyFile: z.string().nullable().default(null),
  rejectUnauthorized: z.boolean().default(true),
  /** Null: a random id at every start (docs/SECURITY.md: a known id lets anyone on the broker take over the session). */
  clientId: z.string().min(1).max(64).nullable().default(null),
  /**
   * Signing (mqtt/signing.ts): this gateway's name and key, given together. A historian that trusts it is told the
   * same pair in `historian.gatewayKeys`.
   */
  signer: signerNameSchema.nullable().default(null),
  signingKey: secretSchema.nullable().default(null),
  homeAssistant: z.boolean().default(false),
  homeAssistantPrefix: z.string().min(1).default(DEFAULT_DISCOVERY_PREFIX),
});
export type MqttConfig = z.infer<typeof mqttConfigSchema>;

const sensorSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,16}$/, 'letters, digits, _ or -, up to 16 characters'),
  placement: z.enum(PLACEMENTS),
  driver: z.enum(DRIVER_NAMES).default('squatmon'),
  match: z.string().min(1).nullable().default(null),
  /** Which way round the sensor is worn (`out`: z axis outward, `in`); null: found from the movement. */
  face: z.enum(SENSOR_FACES).nullable().default(null),
  /** Output rate to ask for, Hz (squatmon sensors; other drivers have a fixed rate); null: the driver's default. */
  rateHz: z.union([z.literal(50), z.literal(100), z.literal(200), z.literal(400)]).nullable().default(null),
});

const athleteSchema = z.strictObject({
  id: athleteIdSchema,
  name: z.string().min(1).max(64),
  sensors: z.array(sensorSchema).min(1).max(2),
  cutoffCm: z.number().min(0).max(150).nullable().default(null),
  winkThresholdDeg: z.number().min(0).max(90).default(DEFAULT_WINK_THRESHOLD_DEG),
});

export const configSchema = z
  .object({
    /** Where samples come from; `historian`: no sensors, every gateway's facts from an external broker. */
    source: z.enum(['sim', 'ble', 'replay', 'historian']).default('sim'),
    athletes: z.array(athleteSchema).default([]),
    sim: z
      .strictObject({
        athletes: z.number().int().min(1).max(20).default(2),
        profiles: z.array(z.string()).min(1).default(['neutral-wink', 'anterior', 'posterior']),
        sensors: z.enum(['sacrum', 'both']).default('both'),
        rateHz: z.union([z.literal(50), z.literal(100), z.literal(200), z.literal(400)]).default(200),
        lossPct: z.number().min(0).max(50).default(0),
        /** Share of notifications the simulated radio delivers twice, percent: tests duplicate handling. */
        duplicatePct: z.number().min(0).max(50).default(0),
        seed: z.number().int().min(0).default(1),
        /** Time runs this many times faster than the wall clock (tests and demos). */
        speed: z.number().min(0.1).max(50).default(1),
        /** Standing rest between simulated sets, s. */
        restS: z.number().min(0).max(600).default(60),
        /** Radio outages of every simulated sensor (simulated time from the start, s): test reconnects. */
        outages: z.array(z.strictObject({ start: z.number().min(0), duration: z.number().positive().max(600) })).max(100).default([]),
        /**
         * Simulated athletes are `<idPrefix>-sim-<n>`: distinct ids when several gateways feed one historian. At
         * most 7 characters: their sensor ids (`<athlete>-sacrum`, `<athlete>-tl`) are cut at 16 and must differ.
         */
        idPrefix: z.string().regex(/^[a-z0-9][a-z0-9-]{0,6}$/, 'lowercase letters, digits and dashes, up to 7 characters').nullable().default(null),
      })
      .default({ athletes: 2, profiles: ['neutral-wink', 'anterior', 'posterior'], sensors: 'both', rateHz: 200, lossPct: 0, duplicatePct: 0, seed: 1, speed: 1, restS: 60, outages: [], idPrefix: null }),
    replay: z
      .strictObject({ file: z.string().min(1).nullable().default(null), speed: z.number().positive().max(1000).default(1), athlete: athleteIdSchema.default('replay') })
      .default({ file: null, speed: 1, athlete: 'replay' }),
    mqtt: mqttConfigSchema.prefault({}),
    http: z
      .strictObject({ host: z.string().default('127.0.0.1'), port: port.default(8080), token: secretSchema.nullable().default(null) })
      .default({ host: '127.0.0.1', port: 8080, token: null }),
    /** The history: SQLite in dataDir unless `url` names a PostgreSQL database (postgres://user:pass@host:port/db). */
    store: z
      .strictObject({
        url: z.string().regex(/^postgres(ql)?:\/\/.+/, 'a postgres:// or postgresql:// URL').nullable().default(null),
        /** PostgreSQL schema for the tables (created when missing); the database's default when null. */
        schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'lowercase letters, digits and _').nullable().default(null),
        /**
         * SQLite only: the largest the history file may grow, bytes (e.g. to protect a small SD card). When it is
         * reached, writes fail with a clear "full" error and the live service goes on; null: no limit.
         */
        maxBytes: z.number().int().min(65_536).nullable().default(null),
      })
      .default({ url: null, schema: null, maxBytes: null }),
    historian: z
      .strictObject({
        /**
         * Its MQTT client id: fixed, so the broker keeps its session (and what it missed) while it is down. Null: a
         * random id made once and kept in the data folder (historian-client-id).
         */
        clientId: z.string().min(1).max(64).nullable().default(null),
        /** The gateways it trusts: signer name → signing key. Messages not signed by one of them are refused. */
        gatewayKeys: z
          .record(z.string(), secretSchema)
          .refine((keys) => Object.keys(keys).every((name) => SIGNER_PATTERN.test(name)), SIGNER_NAME_RULE)
          .default({}),
        /**
         * Trust the broker instead: store whatever is published under the root, signed or not. Only where the broker's
         * ACL lets nobody but the gateways publish there (docs/SECURITY.md has a Mosquitto ACL).
         */
        trustBroker: z.boolean().default(false),
      })
      .default({ clientId: null, gatewayKeys: {}, trustBroker: false }),
    dataDir: z.string().min(1).default('data'),
  })
  .strict()
  .superRefine((config, ctx) => {
    // Ids route samples and name sessions: each must be unique, and an athlete wears one sensor per place.
    const athleteIds = new Set<string>();
    const sensorIds = new Set<string>();
    config.athletes.forEach((athlete, a) => {
      if (athleteIds.has(athlete.id)) ctx.addIssue({ code: 'custom', path: ['athletes', a, 'id'], message: `athlete id '${athlete.id}' is used twice` });
      athleteIds.add(athlete.id);
      const placements = new Set<string>();
      athlete.sensors.forEach((sensor, s) => {
        if (sensorIds.has(sensor.id)) ctx.addIssue({ code: 'custom', path: ['athletes', a, 'sensors', s, 'id'], message: `sensor id '${sensor.id}' is used twice` });
        sensorIds.add(sensor.id);
        if (placements.has(sensor.placement)) {
          ctx.addIssue({ code: 'custom', path: ['athletes', a, 'sensors', s, 'placement'], message: `athlete '${athlete.id}' has two ${sensor.placement} sensors` });
        }
        placements.add(sensor.placement);
      });
    });
  });

export type GatewayConfig = z.infer<typeof configSchema>;
export type AthleteConfig = z.infer<typeof athleteSchema>;

export class ConfigError extends Error {}

/** Deep merge of plain objects; arrays and scalars are replaced. */
function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b) ? merge(b as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

function describeIssues(error: z.ZodError, source: string): string {
  return error.issues.map((i) => `${source}: ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
}

/** Environment variables → a partial config. */
export function configFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const num = (name: string) => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new ConfigError(`environment: ${name} must be a number, got '${v}'`);
    return n;
  };
  const str = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  return {
    mqtt: {
      url: str('SQUATMON_MQTT_URL'),
      port: num('SQUATMON_MQTT_PORT'),
      username: str('SQUATMON_MQTT_USERNAME'),
      password: str('SQUATMON_MQTT_PASSWORD'),
      signer: str('SQUATMON_MQTT_SIGNER'),
      signingKey: str('SQUATMON_MQTT_SIGNING_KEY'),
    },
    http: { port: num('SQUATMON_HTTP_PORT'), host: str('SQUATMON_HTTP_HOST'), token: str('SQUATMON_HTTP_TOKEN') },
    store: { url: str('SQUATMON_STORE_URL') },
    dataDir: str('SQUATMON_DATA_DIR'),
  };
}

/**
 * Loads and validates the configuration. `flags` is the partial config from the command line; `file` is read
 * when given. Throws ConfigError with every problem listed (source and path), and changes nothing.
 */
export async function loadConfig(options: { file?: string; env?: NodeJS.ProcessEnv; flags?: Record<string, unknown> }): Promise<GatewayConfig> {
  let fromFile: Record<string, unknown> = {};
  if (options.file) {
    let text: string;
    try {
      text = await readFile(options.file, 'utf8');
    } catch (err) {
      throw new ConfigError(`${options.file}: cannot read the config file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    try {
      fromFile = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`${options.file}: not valid JSON (${(err as Error).message})`);
    }
    if (!fromFile || typeof fromFile !== 'object' || Array.isArray(fromFile)) throw new ConfigError(`${options.file}: must be a JSON object`);
    const fileCheck = configSchema.safeParse(fromFile);
    if (!fileCheck.success) throw new ConfigError(describeIssues(fileCheck.error, options.file));
  }
  const merged = merge(merge(fromFile, configFromEnv(options.env ?? {})), options.flags ?? {});
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error, 'configuration'));
  const config = parsed.data;
  checkSecurity(config);
  if (config.source === 'historian' && config.mqtt.url === null) {
    throw new ConfigError('source historian: give the broker the gateways publish to (--mqtt-url or SQUATMON_MQTT_URL)');
  }
  if (config.source === 'historian' && Object.keys(config.historian.gatewayKeys).length === 0 && !config.historian.trustBroker) {
    throw new ConfigError(
      'source historian: say which gateways to trust — historian.gatewayKeys (signer name → the key each gateway signs with), or historian.trustBroker: true where the broker lets only gateways publish (docs/SECURITY.md)',
    );
  }
  if (Object.keys(config.historian.gatewayKeys).length > 0 && config.historian.trustBroker) {
    throw new ConfigError('historian: give gatewayKeys or trustBroker, not both (with keys, only signed messages are believed)');
  }
  if ((config.mqtt.signer === null) !== (config.mqtt.signingKey === null)) {
    throw new ConfigError('mqtt.signer and mqtt.signingKey (SQUATMON_MQTT_SIGNER, SQUATMON_MQTT_SIGNING_KEY) must be given together');
  }
  return config;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.');
}

/** Anything listening beyond loopback needs credentials (docs/SECURITY.md). */
function checkSecurity(config: GatewayConfig): void {
  if (!isLoopback(config.http.host) && config.http.token === null) {
    throw new ConfigError(`http.host ${config.http.host} is reachable beyond this machine: set a dashboard token (--http-token or SQUATMON_HTTP_TOKEN, at least 16 characters)`);
  }
  if (config.mqtt.url === null && !isLoopback(config.mqtt.host) && (config.mqtt.username === null || config.mqtt.password === null)) {
    throw new ConfigError(`mqtt.host ${config.mqtt.host} is reachable beyond this machine: set an MQTT username and password for the embedded broker`);
  }
}

/** The effective configuration for the log: secrets replaced, including credentials inside the broker URL. */
export function describeConfig(config: GatewayConfig): Record<string, unknown> {
  const shown = redact(config as unknown as Record<string, unknown>);
  const mqtt = shown.mqtt as Record<string, unknown>;
  if (typeof mqtt.url === 'string') mqtt.url = mqtt.url.replace(/\/\/[^@/]*@/, '//***@');
  const store = shown.store as Record<string, unknown>;
  if (typeof store.url === 'string') store.url = store.url.replace(/\/\/[^@/]*@/, '//***@');
  return shown;
}

/**
 * What the start line says about the configuration: the source, the athletes, where it publishes, serves and
 * stores — the facts a person checks at a glance (secrets redacted as in describeConfig). The whole
 * configuration was a one-line JSON dump in front of the banner, which nobody reads.
 */
export function startSummary(config: GatewayConfig): Record<string, string> {
  const shown = describeConfig(config) as { mqtt: { url: string | null }; store: { url: string | null } };
  const athletes =
    config.source === 'sim'
      ? `${config.sim.athletes} simulated (${config.sim.sensors === 'both' ? 'sacrum + T12/L1' : 'sacrum'}, ${config.sim.rateHz} Hz)`
      : config.source === 'replay'
        ? `replay of ${config.replay.file ?? '–'}`
        : config.athletes.map((a) => a.id).join(', ') || 'none configured';
  return {
    source: config.source,
    athletes,
    mqtt: shown.mqtt.url ?? `embedded broker ${config.mqtt.host}:${config.mqtt.port}`,
    http: `${config.http.host}:${config.http.port}`,
    store: shown.store.url ?? 'SQLite',
    data: config.dataDir,
  };
}
