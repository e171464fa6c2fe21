/**
 * The history's trace of a set that is still open: a live gateway (replaying a simulated recording at a pace that
 * keeps the set open for a while) answers `GET /api/sessions/:id/sets/:set/trace` from the set's recording as far
 * as it is written — the writer flushes its gzip stream on request and the reader takes the growing file up to its
 * last whole line. What it answers must be the beginning of the trace of the finished recording: the same
 * pipeline over the same first samples.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../gateway/config/config.ts';
import { computeSetTrace } from '../../gateway/http/set-trace.ts';
import type { TraceFrame } from '../../gateway/http/set-trace.ts';
import { startGateway } from '../../gateway/service/gateway.ts';
import type { RunningGateway } from '../../gateway/service/gateway.ts';
import { memoryLogger } from '../../gateway/core/logger.ts';
import { DEFAULT_WINK_THRESHOLD_DEG } from '../../shared/posture.ts';
import { runCli } from '../support/cli.ts';

interface TraceBody {
  session: string;
  set: number;
  open: boolean;
  rep?: { index: number; t_start: number; t_end: number; depth_cm: number };
  frames: TraceFrame[];
}

let workDir: string;
let dataDir: string;
let gateway: RunningGateway;
let api: string;

async function get<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${api}${path}`);
  return { status: res.status, body: (await res.json()) as T };
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'squatmon-open-set-'));
  dataDir = join(workDir, 'data');
  const recording = join(workDir, 'set.csv.gz');
  const sim = await runCli(['sim', '--profile', 'posterior', '--seed', '7', '--reps', '8', '--rate', '100', '--out', recording]);
  expect(sim.code).toBe(0);
  const config = configSchema.parse({
    dataDir,
    http: { port: 0 },
    mqtt: { port: 0, root: `squatmon-open-set-${process.pid}` },
    source: 'replay',
    // Slow enough that the set stays open for many seconds after its second rep.
    replay: { file: recording, speed: 1.5, athlete: 'lifter' },
  });
  gateway = await startGateway({ config, logger: memoryLogger(), dashboardDir: join(workDir, 'no-dashboard') });
  api = `${gateway.dashboardUrl}/api`;
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await rm(workDir, { recursive: true, force: true });
});

describe('trace of an open set', () => {
  it('is computed from the recording so far, grows, and is the start of the finished set’s trace', async () => {
    let session = '';
    await expect
      .poll(
        async () => {
          const reps = (await get<{ reps: { session: string }[] }>('/reps?athlete=lifter')).body.reps;
          session = reps[0]?.session ?? '';
          return reps.length;
        },
        { timeout: 60_000, interval: 100 },
      )
      .toBeGreaterThanOrEqual(2);
    const sets = (await get<{ sets: { set: number; endedAt: number | null; recording: string | null }[] }>(`/sessions/${session}`)).body.sets;
    const open = sets.find((s) => s.endedAt === null);
    expect(open, 'the set with the reps is still open').toBeDefined();

    const first = await get<TraceBody>(`/sessions/${session}/sets/${open!.set}/trace`);
    expect(first.status).toBe(200);
    expect(first.body.open).toBe(true);
    expect(first.body.frames.length).toBeGreaterThan(50);

    // A stored rep's curve: frames around it, reaching within a few cm of its stored (refined) depth.
    const repRes = await get<TraceBody>(`/sessions/${session}/sets/${open!.set}/trace?rep=1`);
    expect(repRes.status).toBe(200);
    const rep = repRes.body.rep!;
    const frames = repRes.body.frames;
    expect(frames[0].t).toBeLessThanOrEqual(rep.t_start);
    expect(frames.at(-1)!.t).toBeGreaterThanOrEqual(rep.t_end);
    const peak = Math.max(...frames.map((f) => f.depth_cm));
    expect(Math.abs(peak - rep.depth_cm)).toBeLessThan(5);

    // Later, more of the set is there.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const later = await get<TraceBody>(`/sessions/${session}/sets/${open!.set}/trace`);
    expect(later.status).toBe(200);
    expect(later.body.frames.at(-1)!.t).toBeGreaterThan(first.body.frames.at(-1)!.t);

    // The download of the open set's recording is still refused: only a finished file is a recording.
    expect((await fetch(`${api}/sessions/${session}/sets/${open!.set}/recording`)).status).toBe(404);

    // Stopping closes the open set: its recording is finished and renamed to its final name.
    await gateway.stop();
    // The set's stored recording path (absolute, inside the data folder) now holds the finished file.
    const finished = await computeSetTrace(open!.recording!, DEFAULT_WINK_THRESHOLD_DEG);
    const growing = later.body.frames;
    expect(finished.length).toBeGreaterThan(growing.length);
    // Identical frames where both have them (the last half second aside: it may have been read mid-line).
    const common = growing.filter((f) => f.t < growing.at(-1)!.t - 0.5);
    // (Through JSON as the endpoint sends them: JSON has no −0.)
    expect(JSON.parse(JSON.stringify(finished.slice(0, common.length)))).toEqual(common);
  }, 120_000);
});
