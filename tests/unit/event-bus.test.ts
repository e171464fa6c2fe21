import { describe, expect, it } from 'vitest';
import type { GatewayEvent } from '../../gateway/core/domain.ts';
import { EventBus } from '../../gateway/core/event-bus.ts';
import { memoryLogger } from '../../gateway/core/logger.ts';
import { LAST_REPS_KEPT, LiveState } from '../../gateway/service/live-state.ts';

const rep = (session: string, index: number) =>
  ({ kind: 'rep', rep: { athlete: 'ann', session, set: 1, index, id: `${session}/1/${index}` } }) as unknown as GatewayEvent;

describe('EventBus', () => {
  it('gives every sink every event in order, and a sink that throws is logged by name without stopping the others', () => {
    const logger = memoryLogger();
    const bus = new EventBus(logger);
    const seen: string[] = [];
    bus.subscribe({ name: 'first', handle: (e) => seen.push(`first ${e.kind}`) });
    bus.subscribe({ name: 'broken', handle: () => { throw new Error('disk gone'); } });
    bus.subscribe({ name: 'last', handle: (e) => seen.push(`last ${e.kind}`) });
    bus.publish(rep('s1', 1));
    bus.publish({ kind: 'set-ended', ref: { athlete: 'ann', session: 's1', set: 1 }, endedAt: 0 });
    expect(seen).toEqual(['first rep', 'last rep', 'first set-ended', 'last set-ended']);
    const errors = logger.lines.filter((l) => l.startsWith('error '));
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/sink.*broken/);
    expect(errors[0]).toMatch(/kind.*rep/);
    expect(errors[0]).toMatch(/disk gone/);
  });
});

describe('LiveState', () => {
  it('keeps the current session’s latest reps per athlete, the open set, and forgets a closed set', () => {
    const live = new LiveState();
    for (let i = 1; i <= LAST_REPS_KEPT + 5; i++) live.handle(rep('s1', i));
    expect(live.reps.map((r) => r.index)).toEqual(Array.from({ length: LAST_REPS_KEPT }, (_, k) => k + 6));
    live.handle(rep('s2', 1)); // a new session starts the list over
    expect(live.reps.map((r) => `${r.session}/${r.index}`)).toEqual(['s2/1']);
    const ref = { athlete: 'ann', session: 's2', set: 3 };
    live.handle({ kind: 'set-started', ref, startedAt: 0, recording: null });
    expect(live.sets).toEqual([ref]);
    live.handle({ kind: 'set-ended', ref: { ...ref, set: 2 }, endedAt: 0 }); // not the open one
    expect(live.sets).toEqual([ref]);
    live.handle({ kind: 'set-ended', ref, endedAt: 0 });
    expect(live.sets).toEqual([]);
  });
});
