/**
 * Fault: a WebSocket client (the live view) and an MQTT subscriber stop reading — their sockets are paused, as a
 * phone that went to sleep mid-stream or a stuck consumer would — while the gateway runs.
 *
 * What must hold: the sensing pipeline never stalls — reps keep coming, and a second, healthy WebSocket client
 * and a healthy MQTT subscriber keep receiving live frames at the normal rate (frames per second of data); the
 * memory held for the stalled clients stays bounded: the WebSocket hub drops their live frames once their
 * buffer passes its soft bound (1 MiB) and terminates them after 15 s over it or past 4 MiB; the embedded
 * broker stops forwarding QoS 0 live frames to a subscriber whose socket is backed up (so it never waits on
 * that socket for them and the other subscribers are not held back) — the gateway's retained heap stays where
 * it was. Whether the broker's 5 s drain timeout cuts the stalled subscriber off (it starts only when a QoS 1
 * message meets its full socket) is observed, not asserted.
 *
 * The hub's counters are not exposed by RunningGateway; the test reads them from the WsHub instance the HTTP
 * server created (captured by spying on `WsHub.prototype.accept`, behaviour unchanged).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WsHub } from '../../gateway/http/ws-hub.ts';
import type { WsHubStats } from '../../gateway/http/ws-hub.ts';
import mqtt from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import { connectLiveView, startSimGateway, waitFor } from './fault-support.ts';
import type { LiveViewClient, SimGateway } from './fault-support.ts';

const ATHLETES = 8;
let sim: SimGateway | null = null;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close().catch(() => undefined);
  await sim?.close();
  sim = null;
  vi.restoreAllMocks();
});

async function subscribe(url: string, filter: string, options: IClientOptions): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { connectTimeout: 5_000, ...options });
  await client.subscribeAsync(filter, { qos: 1 });
  return client;
}

/** Heap in use after a full collection: what is retained, not garbage waiting for the collector. */
function retainedHeap(): number {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

/** Live frames per second of frame time per athlete, over the frames whose t falls in [from, to). */
function rate(times: readonly number[], from: number, to: number): number {
  return times.filter((t) => t >= from && t < to).length / (to - from) / ATHLETES;
}

describe('slow or stalled clients', () => {
  it('never stall the pipeline: healthy clients keep their live rate, reps keep coming, buffers stay bounded', async () => {
    const accept = vi.spyOn(WsHub.prototype, 'accept');
    sim = await startSimGateway({ sim: { athletes: ATHLETES, sensors: 'sacrum', profiles: ['neutral-wink', 'anterior'] } });
    const s = sim;
    const healthyView = await connectLiveView(s.gateway.dashboardUrl);
    const stalledView = await connectLiveView(s.gateway.dashboardUrl);
    closers.push(healthyView.close, stalledView.close);
    const hub = accept.mock.contexts[0] as WsHub;
    // Raw clients that keep only the frame times: the test's own memory must not blur the gateway's.
    const healthySub = await subscribe(s.gateway.mqttUrl, 'squatmon/athletes/+/live', {});
    // No keepalive: the stalled client must not give up by itself; only the broker may cut it off.
    const stalledSub = await subscribe(s.gateway.mqttUrl, 'squatmon/#', { reconnectPeriod: 0, keepalive: 0 });
    closers.push(() => healthySub.endAsync(true), () => stalledSub.endAsync(true));
    stalledSub.on('error', () => undefined);
    let stalledSubClosedAt: number | null = null;
    let stalledViewCutAt: number | null = null;
    stalledSub.on('close', () => (stalledSubClosedAt ??= performance.now()));
    const healthyMqttTimes: number[] = [];
    healthySub.on('message', (_topic, payload) => healthyMqttTimes.push((JSON.parse(String(payload)) as { t: number }).t));

    // Steady state first: a rep and a few seconds of data, so there is a "before" rate to compare with.
    await waitFor(() => s.reps().length >= 1 && healthyView.liveTimes.length > 600, 'a rep and live frames', 60_000);
    const stallFromT = Math.max(...healthyView.liveTimes);
    const repsAtStall = s.reps().length;
    const liveDroppedAtStall = s.gateway.mqtt!.stats().liveDropped;
    const heapAtStall = retainedHeap();
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();

    // Both stop reading: their sockets stay open, nothing is read from them.
    const stallStartedAt = performance.now();
    ((stalledView.ws as unknown as { _socket: Socket })._socket).pause();
    (stalledSub.stream as Socket).pause();
    let maxBuffered = 0;
    let maxHeap = heapAtStall;
    const sampler = setInterval(() => {
      for (const c of hub.clientStats()) maxBuffered = Math.max(maxBuffered, c.bufferedAmount);
      maxHeap = Math.max(maxHeap, process.memoryUsage().heapUsed);
      if (hub.stats().terminatedSlow > 0) stalledViewCutAt ??= performance.now();
    }, 100);
    closers.push(async () => clearInterval(sampler));

    // Until the hub has cut the stalled page off (its buffer passed the soft bound, then stayed over it 15 s).
    // By then the broker has usually begun to shed the stalled subscriber's live frames, but not always: its
    // socket fills only once the kernel's buffers are full, which can take minutes on a loaded machine (fewer
    // frames published, buffers grown by autotuning). The shedding itself is checked deterministically in
    // tests/integration/mqtt-broker.test.ts; here it is reported.
    const broker = s.gateway.mqtt!.broker!;
    // 35 s on a quiet machine; a heavily loaded one publishes fewer frames, so the buffer fills more slowly.
    await waitFor(() => hub.stats().terminatedSlow >= 1, 'the stalled page to be cut off', 200_000);
    stalledViewCutAt ??= performance.now();
    clearInterval(sampler);
    loopDelay.disable();
    // Measured while the MQTT subscriber is still stalled (the page has just been cut off).
    const heapAtEnd = retainedHeap();
    const stallToT = Math.max(...healthyView.liveTimes);
    const hubStats: WsHubStats = hub.stats();
    const mqttStats = s.gateway.mqtt!.stats();
    const brokerStats = broker.stats();

    // The pipeline went on: reps during the stall, over to the healthy clients too.
    const repsDuringStall = s.reps().length - repsAtStall;
    expect(repsDuringStall).toBeGreaterThanOrEqual(2);
    await waitFor(() => healthyView.count('rep') >= s.reps().length - 1, 'the reps at the healthy page', 10_000);

    // Healthy clients kept the normal live rate (per second of data, both windows measured the same way).
    const warmFrom = Math.min(...healthyView.liveTimes.filter((t) => t > 0));
    const wsBefore = rate(healthyView.liveTimes, warmFrom, stallFromT);
    const wsDuring = rate(healthyView.liveTimes, stallFromT, stallToT);
    const mqttBefore = rate(healthyMqttTimes, warmFrom, stallFromT);
    const mqttDuring = rate(healthyMqttTimes, stallFromT, stallToT);
    // The hub decimates to 25 frames/s per athlete and drops only for the stalled page: the healthy page keeps it.
    expect(wsDuring).toBeGreaterThan(0.9 * wsBefore);
    // The broker sheds the stalled subscriber's live frames instead of waiting on its socket, so the healthy
    // subscriber is not held back (measured 50.0 → 49.8 frames/s). The bound leaves room for CPU load alone:
    // the gateway's publisher drops live frames when its own socket to the broker backs up past 64 KiB.
    expect(mqttDuring).toBeGreaterThan(0.8 * mqttBefore);

    // Bounded: the stalled page's live frames were dropped, its buffer never passed the hard limit, and it was cut off.
    expect(hubStats.liveDropped).toBeGreaterThan(0);
    expect(maxBuffered).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(hubStats.terminatedSlow).toBe(1);
    expect(hub.stats().clients).toBe(1);
    expect(healthyView.ws.readyState).toBe(healthyView.ws.OPEN);
    // The stalled subscriber held no unbounded memory in the gateway's process (the embedded broker sheds its
    // live frames and waits on its socket for the rest): the retained heap is about what it was when the stall began.
    expect(heapAtEnd - heapAtStall).toBeLessThan(32 * 2 ** 20);

    console.info(
      `slow clients: stall lasted ${(stallToT - stallFromT).toFixed(0)} s of data; ${repsDuringStall} reps meanwhile; ` +
        `healthy ws live ${wsBefore.toFixed(1)} → ${wsDuring.toFixed(1)} frames/s per athlete, healthy MQTT live ${mqttBefore.toFixed(1)} → ${mqttDuring.toFixed(1)}; ` +
        `ws hub: max buffered ${(maxBuffered / 1024).toFixed(0)} KiB, liveDropped ${hubStats.liveDropped}, terminatedSlow ${hubStats.terminatedSlow}; ` +
        `MQTT publisher liveDropped during stall ${mqttStats.liveDropped - liveDroppedAtStall}, broker shed ${brokerStats.qos0DroppedForSlowClients} QoS 0 messages for slow clients (${brokerStats.slowClientEpisodes} episodes); stalled page cut off after ${(((stalledViewCutAt ?? NaN) - stallStartedAt) / 1000).toFixed(1)} s, stalled subscriber ${stalledSubClosedAt === null ? 'still connected (not cut off by the broker)' : `disconnected by the broker after ${((stalledSubClosedAt - stallStartedAt) / 1000).toFixed(1)} s`} at the end of the stall; ` +
        `retained heap ${(heapAtStall / 2 ** 20).toFixed(1)} → ${(heapAtEnd / 2 ** 20).toFixed(1)} MiB (max heap in use, garbage included, ${(maxHeap / 2 ** 20).toFixed(0)} MiB); event-loop delay p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms`,
    );
  }, 260_000);
});
