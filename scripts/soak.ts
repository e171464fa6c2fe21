/**
 * `npx tsx scripts/soak.ts [--minutes 30] [--sensors 20]`: the whole live gateway in real time for a long run —
 * simulated athletes (two sensors each) at 200 Hz through noble's custom binding, the connection manager, the
 * sensing pipelines, the embedded MQTT broker, the SQLite history and the WebSocket hub — with an MQTT
 * subscriber taking every rep. Reports:
 *  - memory growth after warm-up: RSS and retained heap (after a full collection), mean of the first window
 *    after warm-up against the mean of the last window (windows of 2 min in a 30 min run), target < 10 %;
 *  - event-loop delay p99 after warm-up, target < 20 ms;
 *  - reps emitted vs reps stored vs reps received by the subscriber (target: none lost).
 * Writes its section of docs/RELIABILITY.md. A soak: it prints numbers and asserts nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { configSchema } from '../gateway/config/config.ts';
import { startGateway } from '../gateway/service/gateway.ts';
import { createLogger } from '../gateway/core/logger.ts';
import { writeDocSection } from './doc-sections.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number`);
  return value;
};
const MINUTES = option('minutes', 30);
const SENSORS = Math.max(2, Math.round(option('sensors', 20) / 2) * 2);
const ATHLETES = SENSORS / 2;
const RATE_HZ = 200;
const RUN_S = MINUTES * 60;
/** Warm-up (JIT, first sets, caches): 2 min, or a sixth of a short run. */
const WARMUP_S = Math.min(120, RUN_S / 6);
/** The compared windows: 2 min each, or half of what is left after a short run's warm-up. */
const WINDOW_S = Math.min(120, (RUN_S - WARMUP_S) / 2);
const SAMPLE_EVERY_S = 10;
const PROFILES = ['neutral-wink', 'anterior', 'posterior', 'deep-no-wink', 'paused'];
const DOC = new URL('../docs/RELIABILITY.md', import.meta.url).pathname;
const HEADING = '## Soak: the gateway for a long run';
const TARGET_GROWTH_PCT = 10;
const TARGET_LOOP_P99_MS = 20;

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

interface MemorySample {
  readonly atS: number;
  readonly rssMb: number;
  readonly heapMb: number;
}

function sampleMemory(atS: number): MemorySample {
  // Retained heap: after a full collection, so garbage waiting for the collector does not count as growth.
  collectGarbage();
  const m = process.memoryUsage();
  return { atS, rssMb: m.rss / 2 ** 20, heapMb: m.heapUsed / 2 ** 20 };
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const pct = (from: number, to: number) => ((to - from) / from) * 100;
const fmt = (n: number, digits = 1) => n.toFixed(digits);

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(os.tmpdir(), 'squatmon-soak-'));
  const config = configSchema.parse({
    dataDir,
    source: 'sim',
    sim: { athletes: ATHLETES, profiles: PROFILES, sensors: 'both', rateHz: RATE_HZ, restS: 20 },
    http: { port: 0 },
    mqtt: { port: 0 },
  });
  const emitted = new Set<string>();
  const gateway = await startGateway({
    config,
    logger: createLogger(process.stderr, true),
    dashboardDir: join(dataDir, 'no-dashboard'),
    tap: (event) => {
      if (event.kind === 'rep') emitted.add(event.rep.id);
    },
  });
  const received = new Set<string>();
  let receivedCopies = 0;
  const subscriber = await mqtt.connectAsync(gateway.mqttUrl, { clientId: `squatmon-soak-${process.pid}`, clean: false });
  subscriber.on('message', (_topic, payload) => {
    receivedCopies++;
    received.add((JSON.parse(String(payload)) as { id: string }).id);
  });
  await subscriber.subscribeAsync(`${config.mqtt.root}/athletes/+/reps`, { qos: 1 });
  console.log(`soak: ${ATHLETES} athletes × 2 sensors at ${RATE_HZ} Hz, real time, ${MINUTES} min (warm-up ${fmt(WARMUP_S, 0)} s, windows ${fmt(WINDOW_S, 0)} s)`);

  const startedAt = performance.now();
  const elapsedS = () => (performance.now() - startedAt) / 1000;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  const memory: MemorySample[] = [];
  const cpuAtWarm = { usage: process.cpuUsage(), at: 0 };
  await new Promise<void>((resolve) => {
    let warmed = false;
    const tick = setInterval(() => {
      const t = elapsedS();
      if (!warmed && t >= WARMUP_S) {
        warmed = true;
        loopDelay.enable();
        cpuAtWarm.usage = process.cpuUsage();
        cpuAtWarm.at = t;
      }
      if (t >= WARMUP_S) memory.push(sampleMemory(t));
      const last = memory[memory.length - 1];
      console.log(
        `  ${fmt(t / 60)} min: reps ${emitted.size} emitted, ${received.size} received` +
          (last ? `; RSS ${fmt(last.rssMb, 0)} MB, heap ${fmt(last.heapMb)} MB` : ' (warming up)'),
      );
      if (t >= RUN_S) {
        clearInterval(tick);
        resolve();
      }
    }, SAMPLE_EVERY_S * 1000);
  });
  loopDelay.disable();
  const cpu = process.cpuUsage(cpuAtWarm.usage);
  const cpuPct = ((cpu.user + cpu.system) / 1e6 / (elapsedS() - cpuAtWarm.at)) * 100;

  // Every rep emitted so far must reach the subscriber and the history: let the last ones land, then stop
  // (a graceful stop flushes the store's queue).
  const deadline = performance.now() + 30_000;
  while ([...emitted].some((id) => !received.has(id)) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const mqttStats = gateway.mqtt.stats();
  const emittedIds = [...emitted];
  await subscriber.endAsync();
  await gateway.stop();
  const db = new Database(join(dataDir, 'squatmon.db'), { readonly: true });
  const stored = new Set((db.prepare('SELECT id FROM reps').all() as { id: string }[]).map((r) => r.id));
  const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
  db.close();
  await rm(dataDir, { recursive: true, force: true });

  const first = memory.filter((m) => m.atS < WARMUP_S + WINDOW_S);
  const last = memory.filter((m) => m.atS > RUN_S - WINDOW_S);
  const rss = { first: mean(first.map((m) => m.rssMb)), last: mean(last.map((m) => m.rssMb)) };
  const heap = { first: mean(first.map((m) => m.heapMb)), last: mean(last.map((m) => m.heapMb)) };
  const p99Ms = loopDelay.percentile(99) / 1e6;
  const lostToMqtt = emittedIds.filter((id) => !received.has(id)).length;
  const lostToStore = emittedIds.filter((id) => !stored.has(id)).length;
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const rows = [
    ['run', `${MINUTES} min real time, ${ATHLETES} athletes × 2 sensors = ${SENSORS} sensors at ${RATE_HZ} Hz, 20 s rest between sets`, ''],
    ['RSS, first → last window after warm-up', `${fmt(rss.first, 0)} → ${fmt(rss.last, 0)} MB (${fmt(pct(rss.first, rss.last))} %)`, `< ${TARGET_GROWTH_PCT} %: ${verdict(pct(rss.first, rss.last) < TARGET_GROWTH_PCT)}`],
    ['heap (retained, after a full GC), first → last window', `${fmt(heap.first)} → ${fmt(heap.last)} MB (${fmt(pct(heap.first, heap.last))} %)`, `< ${TARGET_GROWTH_PCT} %: ${verdict(pct(heap.first, heap.last) < TARGET_GROWTH_PCT)}`],
    ['event-loop delay p99 (max)', `${fmt(p99Ms)} ms (${fmt(loopDelay.max / 1e6)} ms)`, `< ${TARGET_LOOP_P99_MS} ms: ${verdict(p99Ms < TARGET_LOOP_P99_MS)}`],
    ['process CPU after warm-up (gateway + simulator)', `${fmt(cpuPct)} % of one core`, ''],
    ['reps emitted / stored / received over MQTT', `${emittedIds.length} / ${emittedIds.length - lostToStore} / ${emittedIds.length - lostToMqtt} (${receivedCopies - received.size} QoS 1 resends)`, `none lost: ${verdict(lostToMqtt === 0 && lostToStore === 0)}`],
    ['MQTT live frames published / dropped (backed up)', `${mqttStats.livePublished} / ${mqttStats.liveDropped}`, ''],
    ['MQTT outbox dropped', `${mqttStats.outbox.dropped}`, ''],
    ['history integrity_check', integrity, ''],
  ];
  const command = `npx tsx scripts/soak.ts --minutes ${MINUTES} --sensors ${SENSORS}`;
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' / ');
  const table = ['| measure | value | target |', '|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  const shortRun = MINUTES < 30 ? `\n\n**This is a ${MINUTES}-minute run** (a check that the soak works); the 30-minute run is \`npx tsx scripts/soak.ts\`.` : '';
  const section = `${HEADING}

Written by \`${command}\` (scripts/soak.ts) on ${new Date().toISOString().slice(0, 16)}Z, ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'} (${os.cpus().length} cores), Node ${process.version}; load average at the end ${load} (the machine may be shared).${shortRun}

${table}

Method: memory is sampled every ${SAMPLE_EVERY_S} s after a ${fmt(WARMUP_S, 0)} s warm-up, the heap after a forced full collection (so only what is retained counts); "first" and "last" are the means over the first and the last ${fmt(WINDOW_S, 0)} s after warm-up. The event-loop delay is Node's monitorEventLoopDelay (10 ms resolution) after warm-up. Reps: emitted = seen by the gateway's tap; received = distinct ids at a QoS 1 subscriber with a persistent session; stored = rows in the SQLite history after a graceful stop.
`;
  await writeDocSection(DOC, HEADING, section, '# Reliability\n\n');
  console.log(`\n${table}\n\ncommand: ${command}\nwrote ${DOC} (section "${HEADING.slice(3)}")`);
}

await main();
