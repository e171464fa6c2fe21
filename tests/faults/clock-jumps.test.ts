/**
 * Fault: a sensor's timestamp jumps while its frame counter goes on — a firmware clock resync (a large jump
 * forward or back) or a clock reset to 0 without a reboot of the counter. At the ingest level
 * (gateway/ingest/sensor-sample-stream.ts and clock-mapper.ts, the code every live notification passes
 * through), then the sensing pipeline.
 *
 * A squat set of 8 reps from the firmware simulator goes through the link model (latency only) and
 * SensorSampleStream; from 23.5 s of true time on (between reps 3 and 4) one sensor's frames carry a shifted
 * timestamp. What must hold: that sensor's samples stay strictly increasing, and the pipeline goes on finding
 * the lifter's reps after the jump, with their depths.
 *
 * FOUND AND FIXED: the clock mapper used to trust the sensor's timestamps across any jump. It kept
 * mapped times at least half as fast as sensor time (`lastMapped + 0.5 · Δsensor`), so
 *  - a jump forward by J makes mapped time leap J/2 ahead, then advance at half speed for J seconds of data:
 *    every sample interval is halved, and the pipeline's integrations (orientation, vertical kinematics) go
 *    wrong — after a +20 s jump the reps come out ~11 cm deep instead of ~46 cm until mapped time caught up;
 *  - a jump back by J makes mapped time step back J/2 (not increasing: the connection manager then discards
 *    J seconds of that sensor's samples as out of order) and stay J seconds behind the receive clock, because
 *    the offset estimate may only rise at 200 ppm; the two sensors of the athlete are then J seconds apart;
 *  - a reset to 0 is a jump back by the clock's reading (tens of seconds to an hour; near 2^32 µs it reads as
 *    a jump forward instead), with the same effects.
 * ClockMapper now re-anchors on the receive clock when receive − sensor time moves by far more than link jitter
 * and drift allow (a drop at once, a rise once it persists).
 */
import { describe, expect, it } from 'vitest';
import { SensorFirmware } from '../../firmware-sim/firmware/index.ts';
import { simulateLink } from '../../firmware-sim/link/index.ts';
import type { Delivery } from '../../firmware-sim/link/index.ts';
import { buildSquatSet, profileByName } from '../../firmware-sim/model/index.ts';
import { SensorSampleStream } from '../../gateway/ingest/sensor-sample-stream.ts';
import { analyzeSamples } from '../../gateway/sensing/analyze-samples.ts';
import type { RepEvent } from '../../gateway/sensing/events.ts';
import type { ImuSample } from '../../shared/imu.ts';
import { decodeImuFrame, encodeImuFrame } from '../../shared/protocol/index.ts';

const U32 = 0x1_0000_0000;
/** True time of the jump: after rep 3 has ended, before rep 4 starts. */
const JUMP_AT_S = 23.5;
const JUMPING_SENSOR = 1;

const set = buildSquatSet({ profile: profileByName('neutral-wink'), seed: 3, reps: 8, sensors: 'both' });
// Each sensor's notifications as the gateway receives them (firmware → link with latency), made once.
const deliveries: Delivery[][] = set.sensors.map((_, index) => {
  const firmware = new SensorFirmware({
    serial: `SQM1-C0${index}1`,
    sampler: (t, out) => set.measuredImu(index, t, out),
    rateHz: 100,
    attMtu: 247,
    clockOffsetUs: 150_000_000 + index * 4_321,
    clockDriftPpm: index === 0 ? 12 : -18,
  });
  firmware.write('control', Uint8Array.of(0x01, 1), 0); // start_stream
  const imu = firmware.advanceTo(set.duration).filter((n) => n.characteristic === 'imu');
  return simulateLink(imu, {}, 70 + index).delivered;
});

type Jump = { readonly kind: 'shift'; readonly us: number } | { readonly kind: 'reset' };

/** Ingest with the jump applied to one sensor's frames sent from JUMP_AT_S on; samples per sensor. */
function ingest(jump: Jump): ImuSample[][] {
  return set.sensors.map((sensor, index) => {
    const stream = new SensorSampleStream(sensor.id);
    const out: ImuSample[] = [];
    let resetBase: number | null = null;
    for (const delivery of deliveries[index]) {
      let bytes = delivery.data;
      if (index === JUMPING_SENSOR && delivery.sentAt >= JUMP_AT_S) {
        const frame = decodeImuFrame(bytes);
        if (jump.kind === 'reset') {
          // The clock restarts from 0 at the jump; the frame counter goes on.
          resetBase ??= frame.timestampUs;
          frame.timestampUs = (frame.timestampUs - resetBase + U32) % U32;
        } else {
          frame.timestampUs = (frame.timestampUs + jump.us + U32) % U32;
        }
        bytes = encodeImuFrame(frame);
      }
      stream.push(bytes, delivery.t, out);
    }
    return out;
  });
}

function strictlyIncreasing(samples: readonly ImuSample[]): boolean {
  return samples.every((s, i) => i === 0 || s.t > samples[i - 1].t);
}

function repsOf(perSensor: ImuSample[][]): RepEvent[] {
  const merged = perSensor.flat().sort((a, b) => a.t - b.t);
  return analyzeSamples([...set.sensors], merged).filter((e): e is RepEvent => e.type === 'rep');
}

/** The behaviour every case must show: increasing samples, and the lifter's reps with their depths. */
function expectIngestSurvives(jump: Jump): void {
  const perSensor = ingest(jump);
  for (const samples of perSensor) expect(strictlyIncreasing(samples)).toBe(true);
  const reps = repsOf(perSensor);
  expect(reps.map((r) => Math.round(r.depth_cm))).toHaveLength(set.truth.reps.length);
  reps.forEach((rep, k) => expect(Math.abs(rep.depth_cm - set.truth.reps[k].depth_cm), `rep ${k + 1} depth`).toBeLessThan(6));
}

describe('sensor clock jumps at ingest', () => {
  it('a jitter-sized step (2 ms back) is absorbed: samples increase and every rep is found', () => {
    expectIngestSurvives({ kind: 'shift', us: -2_000 });
  });

  it('duplicate frames around the jump point are dropped by sequence number, not by time', () => {
    const stream = new SensorSampleStream('S');
    const out: ImuSample[] = [];
    const first = deliveries[0][0];
    expect(stream.push(first.data, first.t, out).kind).toBe('samples');
    expect(stream.push(first.data, first.t + 0.01, out)).toEqual({ kind: 'duplicate' });
  });

  it('a jump forward by 20 s: the mapper re-anchors on the receive clock and the reps after it are right', () => {
    expectIngestSurvives({ kind: 'shift', us: 20_000_000 });
  });

  it('a jump back by 20 s: times stay increasing and re-anchor after a few notifications', () => {
    expectIngestSurvives({ kind: 'shift', us: -20_000_000 });
  });

  it('a clock reset to 0 with the frame counter going on: handled as a jump back', () => {
    expectIngestSurvives({ kind: 'reset' });
  });

  it('keeps the sample spacing and the receive clock across jumps either way', () => {
    const spacing = (samples: ImuSample[], fromT: number) => {
      const i = samples.findIndex((s) => s.t > fromT);
      return (samples[i + 100].t - samples[i].t) / 100;
    };
    const forward = ingest({ kind: 'shift', us: 20_000_000 })[JUMPING_SENSOR];
    const back = ingest({ kind: 'shift', us: -20_000_000 })[JUMPING_SENSOR];
    const normal = ingest({ kind: 'shift', us: 0 })[JUMPING_SENSOR];
    // 100 Hz: 10 ms between samples, before and after the jump.
    expect(spacing(normal, JUMP_AT_S + 1)).toBeCloseTo(0.01, 4);
    expect(spacing(forward, JUMP_AT_S + 15)).toBeCloseTo(0.01, 4);
    expect(spacing(back, JUMP_AT_S + 15)).toBeCloseTo(0.01, 4);
    // And the sensor stays on the receive clock: its last sample lands where it would without the jump.
    expect(Math.abs(back[back.length - 1].t - normal[normal.length - 1].t)).toBeLessThan(0.05);
    expect(Math.abs(forward[forward.length - 1].t - normal[normal.length - 1].t)).toBeLessThan(0.05);
  });

  it('a backlog delivered late and then in a burst (a stalled gateway, a retransmitting radio) moves nothing', () => {
    // From JUMP_AT_S on, nothing arrives for STALL_S; then everything due is handed over within 20 ms. The
    // receive − sensor difference rises by up to STALL_S, but the risen notifications arrive faster than their
    // samples were taken: a backlog, not a clock jump. (Re-anchoring on it shifted the samples seconds ahead
    // and squeezed the rest: every rep then had holes, and depths from 12 to 110 cm.)
    const STALL_S = 1.6;
    const ingestWithStall = (stallS: number) =>
      set.sensors.map((sensor, index) => {
        const stream = new SensorSampleStream(sensor.id);
        const out: ImuSample[] = [];
        const burst = deliveries[index].filter((d) => d.t >= JUMP_AT_S && d.t < JUMP_AT_S + stallS);
        for (const delivery of deliveries[index]) {
          const k = burst.indexOf(delivery);
          const t = k < 0 ? delivery.t : JUMP_AT_S + stallS + (0.02 * k) / burst.length;
          stream.push(delivery.data, t, out);
        }
        return out;
      });
    const stalled = ingestWithStall(STALL_S);
    const normal = ingestWithStall(0);
    for (const [i, samples] of stalled.entries()) {
      expect(strictlyIncreasing(samples)).toBe(true);
      // Every sample keeps the time it has without the stall (the sensor's own spacing).
      expect(samples).toHaveLength(normal[i].length);
      expect(Math.max(...samples.map((x, k) => Math.abs(x.t - normal[i][k].t)))).toBeLessThan(0.005);
    }
    const reps = repsOf(stalled);
    expect(reps).toHaveLength(set.truth.reps.length);
    expect(reps.every((r) => r.gap_fraction === 0)).toBe(true);
  });
});
