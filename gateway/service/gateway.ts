/**
 * The composition root: one place that builds the running gateway from its configuration and wires
 * a source → sensing (one runtime per athlete) → the event bus → sinks (README.md, "How data flows"). Sources
 * (sources/source.ts): simulated athletes through the noble custom binding (`sim`), real sensors through noble
 * (`ble`), a recording (`replay`), or, for a historian, every gateway's facts read back from an external broker
 * (`historian`). Sinks: the live state, MQTT (not for the historian, which only listens), the history store,
 * the dashboard's WebSocket hub, and the sensor source's haptic pulse on a cue.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadNoble, nobleWithBindings } from '../ble/noble-loader.ts';
import type { Noble } from '../ble/noble-loader.ts';
import type { GatewayConfig } from '../config/config.ts';
import { startSummary } from '../config/config.ts';
import { createHttpServer } from '../http/http-server.ts';
import { HttpConfigError } from '../http/access.ts';
import type { HttpServer } from '../http/http-server.ts';
import { startMqttBridge } from '../mqtt/bridge.ts';
import { PortInUseError } from '../mqtt/embedded-broker.ts';
import type { MqttBridge } from '../mqtt/bridge.ts';
import { openHistoryStore } from '../store/open-history-store.ts';
import type { HistoryStore } from '../store/history-store.ts';
import { ReplaySource } from '../sources/replay-source.ts';
import { simulatedSensors } from '../sources/simulated-sensors.ts';
import type { Athlete, GatewayEvent } from '../core/domain.ts';
import { AthleteRuntime } from './athlete-runtime.ts';
import { GatewayControl } from './gateway-control.ts';
import { HistorianSource, historianClientId } from './historian.ts';
import { SensorSource } from '../sources/sensor-source.ts';
import type { AddAthleteOptions, Source } from '../sources/source.ts';
import type { Logger } from '../core/logger.ts';
import { StoreSink } from './store-sink.ts';
import { recoverInterruptedRecordings } from './recording-recovery.ts';
import { closeInterruptedSessions } from './session-recovery.ts';
import { EventBus } from '../core/event-bus.ts';
import { LiveState } from './live-state.ts';
import { lockDataDir } from './data-dir-lock.ts';

export interface RunningGateway {
  readonly dashboardUrl: string;
  readonly mqttUrl: string;
  /** The MQTT side, for diagnostics (benchmarks). */
  readonly mqtt: MqttBridge;
  /** The athletes at start (none for a historian: it learns them as their gateways publish). */
  readonly athletes: readonly Athlete[];
  /** Resolves when a replay ended: null at the end of its file, the error at a bad line (never for live sources). */
  readonly replayDone: Promise<Error | null>;
  stop(): Promise<void>;
}

export interface GatewayOptions {
  readonly config: GatewayConfig;
  readonly logger: Logger;
  /** The bundled dashboard's folder. */
  readonly dashboardDir: string;
  /** Sees every event before the sinks (benchmarks and tests). */
  readonly tap?: (event: GatewayEvent) => void;
  /**
   * The ports were not chosen by the user (defaults): if one is taken — e.g. a Mosquitto already on 1883 —
   * listen on a free port instead and say so loudly, rather than refuse to start. Ports the user chose are
   * never changed: then a taken port is an error.
   */
  readonly portsAreDefaults?: boolean;
}


/** A historian runs as a gateway does, minus an MQTT bridge of its own: it only subscribes. */
export type RunningHistorian = Omit<RunningGateway, 'mqtt'>;

/** Sensors, simulator or a replay: sources `sim`, `ble`, `replay`. */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  if (options.config.source === 'historian') throw new Error('a historian is started with startHistorianGateway()');
  const service = await startService(options);
  // Every source but the historian publishes through the bridge, so it is there.
  return { ...service, mqtt: service.mqtt! };
}

/** Source `historian`: every gateway's facts from the external broker into this history and dashboard. */
export async function startHistorianGateway(options: GatewayOptions): Promise<RunningHistorian> {
  if (options.config.source !== 'historian') throw new Error(`startHistorianGateway() needs source historian, not ${options.config.source}`);
  const { mqtt: _none, ...historian } = await startService(options);
  return historian;
}

async function startService(options: GatewayOptions): Promise<RunningHistorian & { readonly mqtt: MqttBridge | null }> {
  const { config, logger } = options;
  logger.info('starting squatmon gateway', startSummary(config));
  const dataDir = resolve(config.dataDir);
  const recordingsDir = join(dataDir, 'recordings');
  mkdirSync(recordingsDir, { recursive: true });
  // Before anything touches the folder: a second gateway would recover the first one's open recording and
  // close its live sessions.
  const lock = lockDataDir(dataDir);
  const simulated = config.source === 'sim';

  // Run in reverse at stop; the lock is released last.
  const cleanups: (() => Promise<void>)[] = [async () => lock.release()];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err: Error) => logger.error('shutdown step failed', { error: err.message }));
  };
  recoverInterruptedRecordings(recordingsDir, logger);

  try {
    const store: HistoryStore = await openHistoryStore(config.store, dataDir);
    cleanups.push(() => store.close());

    // One clock for the simulated sensors and the gateway: with sim.speed > 1 both run faster than the wall.
    const speed = config.source === 'sim' ? config.sim.speed : 1;
    const clockStart = performance.now();
    const gatewayClock = () => ((performance.now() - clockStart) / 1000) * speed;
    // Where the samples (or, for a historian, the facts) come from: built from the config by sourceFor.
    const source: Source = await sourceFor(config, gatewayClock, logger, store);
    const historian = source instanceof HistorianSource ? source : null;

    const runtimes = new Map<string, AthleteRuntime>();
    // Every fact goes through one bus; the live state comes first, so a page asking right after an event sees it.
    const bus = new EventBus(logger);
    const live = new LiveState();
    bus.subscribe(live);
    if (options.tap) bus.subscribe({ name: 'tap', handle: options.tap });
    // When the batch being processed arrived: cues carry it, so latency from sample-in to cue-out is measurable.
    let batchReceivedAt = 0;
    const emit = (event: GatewayEvent) => {
      bus.publish(event.kind === 'cue' && event.receivedAt === undefined ? { ...event, receivedAt: batchReceivedAt } : event);
    };

    const control = new GatewayControl(runtimes, store, logger);
    const startBridge = () => startMqttBridge(config.mqtt, { logger, commands: control }).catch(async (err: unknown) => {
      if (!(err instanceof PortInUseError) || !options.portsAreDefaults || config.mqtt.url !== null) throw err;
      const bridge = await startMqttBridge({ ...config.mqtt, port: 0 }, { logger, commands: control });
      logger.warn(
        `MQTT port ${err.port} is taken (${err.otherIsMqttBroker ? 'another MQTT broker, e.g. Mosquitto, runs there' : 'by another program'}): ` +
          `the embedded broker listens on ${bridge.url} instead.` +
          (err.otherIsMqttBroker ? ` To publish to the broker on ${err.port}, start with --mqtt-url mqtt://127.0.0.1:${err.port}.` : '') +
          ' Choose a fixed port with --mqtt-port.',
      );
      return bridge;
    });
    const mqtt: MqttBridge | null = config.source === 'historian' ? null : await startBridge();
    if (mqtt) cleanups.push(() => mqtt.close());
    const storeSink = new StoreSink(store, logger);
    const startHttp = (port: number) => createHttpServer({
      host: config.http.host,
      port,
      token: config.http.token,
      staticDir: options.dashboardDir,
      recordingsDir,
      store,
      commands: control,
      liveState: () => ({
        athletes: historian?.running ? historian.running.athletes() : [...runtimes.values()].map((r) => r.athlete),
        sensors: live.sensors,
        lastReps: live.reps,
        sessions: live.sessions,
        openSets: live.sets,
      }),
      liveSession: (athlete) => live.session(athlete),
      ...(historian ? { historianStats: () => historian.running?.stats() ?? { connected: false, accepted: 0, dropped: 0, refused: 0 } } : {}),
      openSetRecording: async (session, set) => {
        for (const runtime of runtimes.values()) {
          const file = await runtime.openSetRecording(session, set);
          if (file !== null) return file;
        }
        return null;
      },
      logger,
    });
    const http: HttpServer = await startHttp(config.http.port).catch(async (err: unknown) => {
      if (!(err instanceof HttpConfigError) || err.code !== 'EADDRINUSE' || !options.portsAreDefaults) throw err;
      const server = await startHttp(0);
      logger.warn(`HTTP port ${config.http.port} is taken: the dashboard is on ${server.url} instead. Choose a fixed port with --http-port.`);
      return server;
    });
    cleanups.push(() => http.close());
    if (mqtt) bus.subscribe({ name: 'mqtt', handle: (e) => mqtt.handle(e) });
    bus.subscribe({ name: 'store', handle: (e) => storeSink.handle(e) });
    bus.subscribe({ name: 'websocket', handle: (e) => http.wsHub.handle(e) });

    const addAthlete = async (athlete: Athlete, { keepSampleTimes = false, gyroBias }: AddAthleteOptions = {}) => {
      const stored = await store.getAthlete(athlete.id);
      // Settings changed from the dashboard or MQTT survive a restart.
      const effective = stored ? { ...athlete, name: stored.name, cutoffCm: stored.cutoffCm, winkThresholdDeg: stored.winkThresholdDeg } : athlete;
      await store.upsertAthlete(effective);
      const runtime = new AthleteRuntime({ athlete: effective, simulated, recordingsDir, emit, logger, keepSampleTimes, clock: gatewayClock, ...(gyroBias ? { gyroBias } : {}) });
      await closeInterruptedSessions(store, effective, runtime.sessionId, logger).catch((err: Error) =>
        logger.warn('could not close sessions left open by an earlier run', { athlete: effective.id, error: err.message }),
      );
      await store.startSession({ id: runtime.sessionId, athlete: effective.id, startedAt: Date.now(), simulated });
      runtimes.set(effective.id, runtime);
      return runtime;
    };
    cleanups.push(async () => {
      for (const runtime of runtimes.values()) {
        const summary = await runtime.finish();
        await store.endSession(runtime.sessionId, Date.now(), summary).catch((err: Error) => logger.error('session not closed in history', { error: err.message }));
      }
    });

    // Stopped before the sessions are finished (cleanups run in reverse): no sample arrives after a session's end.
    cleanups.push(() => source.stop());
    await source.start({
      logger,
      clock: gatewayClock,
      simulated,
      addAthlete: (athlete, opts) => addAthlete(athlete, opts),
      emit,
      subscribe: (sink) => bus.subscribe(sink),
      markArrival: () => (batchReceivedAt = performance.now()),
    });

    return {
      dashboardUrl: http.url,
      mqttUrl: mqtt?.url ?? historian!.running!.url,
      mqtt,
      athletes: source.athletes,
      replayDone: source.done,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * Real Bluetooth, imported only now. Without a usable stack the gateway keeps serving the dashboard and the
 * history: the error says what is missing and how to fix it, and no sensor connects (null).
 */
async function loadNobleOrExplain(logger: Logger): Promise<Noble | null> {
  try {
    return await loadNoble();
  } catch (err) {
    logger.error(`Bluetooth is not usable, no sensor will connect: ${(err as Error).message}`);
    logger.info('the dashboard and the history stay available');
    return null;
  }
}

/** The source the config names. */
async function sourceFor(config: GatewayConfig, clock: () => number, logger: Logger, store: HistoryStore): Promise<Source> {
  switch (config.source) {
    case 'sim': {
      const sim = simulatedSensors(config.sim, clock);
      return new SensorSource(sim.athletes, async () => nobleWithBindings(sim.bindings), () => sim.stop());
    }
    case 'ble': {
      const athletes = config.athletes.map((a) => ({ ...a, sensors: a.sensors.map((s) => ({ ...s })) }));
      if (athletes.length === 0) throw new Error('no athletes configured for --ble: add them to the config file (see docs/DEPLOYMENT.md)');
      return new SensorSource(athletes, () => loadNobleOrExplain(logger));
    }
    case 'replay':
      if (!config.replay.file) throw new Error('--replay needs a recording file');
      return ReplaySource.open(config.replay.file, { speed: config.replay.speed, athleteId: config.replay.athlete });
    case 'historian': {
      const url = config.mqtt.url;
      if (url === null) throw new Error('the historian subscribes to an external broker: give --mqtt-url');
      const { gatewayKeys, trustBroker, clientId } = config.historian;
      return new HistorianSource({
        broker: { ...config.mqtt, url },
        clientId: clientId ?? historianClientId(resolve(config.dataDir)),
        trust: trustBroker ? 'broker' : { gatewayKeys: new Map(Object.entries(gatewayKeys)) },
        store,
      });
    }
  }
}
