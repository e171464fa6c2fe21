/** `squatmon start` (what `npm start` runs): the live gateway — sensors or simulator, MQTT, history, dashboard. */
import { fileURLToPath } from 'node:url';
import type { Command } from './command.ts';
import { UsageError } from './command.ts';
import { integerOption, numberOption, parseCommandArgs } from './args.ts';
import { ConfigError, loadConfig } from '../config/config.ts';
import type { GatewayConfig } from '../config/config.ts';
import { startGateway, startHistorianGateway } from '../service/gateway.ts';
import { createLogger } from '../core/logger.ts';
import { PortInUseError } from '../mqtt/embedded-broker.ts';
import { DataDirInUseError } from '../service/data-dir-lock.ts';
import { HttpConfigError } from '../http/access.ts';
import { describeHistoryStore } from '../store/open-history-store.ts';

const USAGE = `Usage: squatmon start [--sim | --ble | --replay FILE | --historian] [options]

Starts the squatmon gateway: reads the sensors, computes depth, lumbar flexion, pelvic tilt and butt wink per
rep, cues the lifter at their stopping depth, publishes everything over MQTT, stores the rep history and serves
the dashboard. Without --ble or --replay it runs simulated athletes (marked "simulated" everywhere).

Sources:
  --sim                    simulated athletes through the same Bluetooth code path (default)
  --ble                    real sensors (athletes and their sensors in the config file, see docs/SENSORS.md)
  --replay FILE            feed a recording at real speed
  --historian              no sensors: store and show every athlete that gateways publish to the broker of
                           --mqtt-url (topics under the MQTT root, see docs/DEPLOYMENT.md)
  --speed N                replay speed factor (default 1)
  --athletes N             simulated athletes (default 2)
  --sim-sensors WHICH      sacrum | both (default both)
  --sim-rate HZ            simulated sensor rate: 50, 100, 200, 400 (default 200, as for real squatmon sensors)
  --sim-loss PCT           simulated notification loss, percent (default 0)
  --sim-duplicates PCT     simulated notifications delivered twice, percent (default 0)
  --sim-speed N            run the simulation N times faster than real time (default 1)
  --sim-prefix P           simulated athletes are P-sim-1, P-sim-2… (distinct ids per rack; up to 7 characters)

Outputs:
  --mqtt-port P            embedded MQTT broker port (default 1883)
  --mqtt-url URL           publish to this broker instead (mqtt:// or mqtts://); credentials via
                           SQUATMON_MQTT_USERNAME / SQUATMON_MQTT_PASSWORD
  --home-assistant         publish Home Assistant MQTT discovery
  --http-port H            dashboard port (default 8080)
  --http-host HOST         dashboard address (default 127.0.0.1; anything else needs --http-token)
  --http-token TOKEN       dashboard access token (or SQUATMON_HTTP_TOKEN), at least 16 characters
  --data-dir DIR           history database and recordings (default ./data)
  --store URL              keep the history in PostgreSQL (postgres://user@host:port/db) instead of
                           DIR/squatmon.db; the password via SQUATMON_STORE_URL keeps it out of process lists
  --config FILE            JSON config file (defaults < file < SQUATMON_* environment < flags)
  --quiet                  log warnings and errors only

Stop with Ctrl-C: the session is closed, the history flushed and "offline" published.`;

export const startCommand: Command = {
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      sim: { type: 'boolean' },
      ble: { type: 'boolean' },
      replay: { type: 'string' },
      historian: { type: 'boolean' },
      speed: { type: 'string' },
      athletes: { type: 'string' },
      'sim-sensors': { type: 'string' },
      'sim-rate': { type: 'string' },
      'sim-loss': { type: 'string' },
      'sim-duplicates': { type: 'string' },
      'sim-speed': { type: 'string' },
      'sim-prefix': { type: 'string' },
      'mqtt-port': { type: 'string' },
      'mqtt-url': { type: 'string' },
      'home-assistant': { type: 'boolean' },
      'http-port': { type: 'string' },
      'http-host': { type: 'string' },
      'http-token': { type: 'string' },
      'data-dir': { type: 'string' },
      store: { type: 'string' },
      config: { type: 'string' },
      quiet: { type: 'boolean' },
    });
    const sources = [values.sim, values.ble, values.replay !== undefined, values.historian].filter(Boolean).length;
    if (sources > 1) throw new UsageError('choose one of --sim, --ble, --replay, --historian');
    const flags: Record<string, unknown> = {
      source: values.ble ? 'ble' : values.replay !== undefined ? 'replay' : values.sim ? 'sim' : values.historian ? 'historian' : undefined,
      replay: { file: values.replay, speed: numberOption(values.speed, 'speed', 0.01, 1000) },
      sim: {
        athletes: integerOption(values.athletes, 'athletes', 1, 20),
        sensors: values['sim-sensors'],
        rateHz: integerOption(values['sim-rate'], 'sim-rate', 50, 400),
        lossPct: numberOption(values['sim-loss'], 'sim-loss', 0, 50),
        duplicatePct: numberOption(values['sim-duplicates'], 'sim-duplicates', 0, 50),
        speed: numberOption(values['sim-speed'], 'sim-speed', 0.1, 50),
        idPrefix: values['sim-prefix'],
      },
      mqtt: { port: integerOption(values['mqtt-port'], 'mqtt-port', 0, 65535), url: values['mqtt-url'], homeAssistant: values['home-assistant'] },
      http: { port: integerOption(values['http-port'], 'http-port', 0, 65535), host: values['http-host'], token: values['http-token'] },
      store: { url: values.store },
      dataDir: values['data-dir'],
    };
    const logger = createLogger(io.stderr, values.quiet === true);
    let config: GatewayConfig;
    try {
      config = await loadConfig({ file: values.config, env: process.env, flags });
    } catch (err) {
      if (err instanceof ConfigError) {
        io.stderr.write(`squatmon start: bad configuration:\n${err.message}\n`);
        return 2;
      }
      throw err;
    }
    let gateway;
    try {
      const portsAreDefaults =
        values['mqtt-port'] === undefined && values['http-port'] === undefined && !process.env.SQUATMON_MQTT_PORT && !process.env.SQUATMON_HTTP_PORT && values.config === undefined;
      const start = config.source === 'historian' ? startHistorianGateway : startGateway;
      gateway = await start({ config, logger, portsAreDefaults, dashboardDir: fileURLToPath(new URL('../../dashboard/dist', import.meta.url)) });
    } catch (err) {
      // What the user can fix (a port taken, a data folder in use): one line and exit code 2, as the docs say.
      if (err instanceof PortInUseError || err instanceof DataDirInUseError || err instanceof HttpConfigError) {
        io.stderr.write(`squatmon start: ${err.message}\n`);
        return 2;
      }
      io.stderr.write(`squatmon start: ${(err as Error).message}\n`);
      return 1;
    }
    io.stdout.write(
      `squatmon is running${config.source === 'sim' ? ' with simulated athletes' : config.source === 'historian' ? ' as a historian' : ''}.\n` +
        `  dashboard: ${gateway.dashboardUrl}/\n` +
        `  MQTT:      ${gateway.mqttUrl} (topics ${config.mqtt.root}/#${config.source === 'historian' ? ', subscribed' : ''})\n` +
        (config.source === 'historian'
          ? `  history:   ${describeHistoryStore(config.store, config.dataDir)}\n`
          : `  athletes:  ${gateway.athletes.map((a) => a.id).join(', ')}\n`) +
        `Press Ctrl-C to stop.\n`,
    );
    // A replay that stopped on a bad line ends the command with that line and exit code 2, as `analyze` does.
    let replayError: Error | null = null;
    await new Promise<void>((resolve) => {
      let stopping = false;
      const stop = (why: string) => {
        if (stopping) return;
        stopping = true;
        logger.info('stopping', { reason: why });
        void gateway.stop().then(resolve);
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
      if (config.source === 'replay') {
        void gateway.replayDone.then((error) => {
          replayError = error;
          stop(error ? 'replay stopped on a bad recording' : 'end of replay');
        });
      }
    });
    if (replayError !== null) {
      const err = replayError as Error & { line?: number };
      io.stderr.write(`squatmon start: ${config.replay.file}${err.line === undefined ? '' : `:${err.line}`}: ${err.message}\n`);
      return 2;
    }
    return 0;
  },
};
