import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Tests that load the whole machine on purpose (busy processes pinned to a core) run alone, after the others
 * (vitest.alone.config.ts, the second half of `npm test`): beside them, every other test is starved too, and
 * timing-sensitive ones (the event-loop stall test) failed now and then.
 */
export const RUN_ALONE = ['tests/faults/cpu-starvation.test.ts'];

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...RUN_ALONE],
    globalSetup: ['tests/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The machine has two cores; more workers only add contention.
    maxWorkers: 2,
  },
});
