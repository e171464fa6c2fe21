/**
 * Fault: the history's disk is full. Injected with the store's size limit (`store.maxBytes`, a real option for
 * small SD cards): the gateway runs until the SQLite file reaches it. What must hold: a clear "full" error in the
 * log, reps keep going out (MQTT, the live view), nothing stored before is lost or damaged.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { integrityCheck, startSimGateway, storedRepIds, waitFor } from './fault-support.ts';
import type { SimGateway } from './fault-support.ts';

let sim: SimGateway | null = null;
afterEach(async () => {
  await sim?.close();
  sim = null;
});

describe('the history disk is full', () => {
  it('logs a clear error, keeps publishing reps and live frames, and keeps what was stored', async () => {
    // Room for the schema and a few sets/reps, then no more.
    sim = await startSimGateway({ sim: { athletes: 2, profiles: ['neutral-wink', 'anterior'] }, store: { maxBytes: 84 * 1024 } });
    const s = sim;
    await waitFor(() => s.logger.lines.some((l) => l.startsWith('error') && /not stored/.test(l)), 'a write refused by the full history', 90_000);
    const fullLine = s.logger.lines.find((l) => l.startsWith('error') && /not stored/.test(l))!;
    expect(fullLine).toMatch(/full|space/i);
    const repsAtFull = s.reps().length;
    const liveAtFull = s.liveEvents();
    const stored = storedRepIds(s.dbPath);
    expect(stored.size).toBeGreaterThan(0);
    // The live service goes on: more reps and live frames after the history stopped taking writes.
    await waitFor(() => s.reps().length >= repsAtFull + 3 && s.liveEvents() > liveAtFull + 500, 'reps and live frames after the disk filled', 60_000);
    // Nothing stored before is lost, and the file is intact.
    const after = storedRepIds(s.dbPath);
    for (const id of stored) expect(after.has(id)).toBe(true);
    expect(integrityCheck(s.dbPath)).toBe('ok');
  }, 180_000);
});
