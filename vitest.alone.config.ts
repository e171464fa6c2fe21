import { defineConfig } from 'vitest/config';
import base, { RUN_ALONE } from './vitest.config.ts';

/** The machine-loading tests, one file at a time, with nothing else running (see vitest.config.ts). */
export default defineConfig({ test: { ...base.test, include: RUN_ALONE, exclude: [], maxWorkers: 1 } });
