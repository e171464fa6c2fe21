/**
 * chart.js, loaded by its own script tag (dist/chart.umd.min.js, served by the gateway: no CDN) as the global
 * `Chart` with every controller registered; the bundle only takes its types from the package.
 */
import type { Chart as ChartClass } from 'chart.js';

export type { ChartClass };

export function chartJs(): typeof ChartClass {
  const lib = (globalThis as { Chart?: typeof ChartClass }).Chart;
  if (lib === undefined) throw new Error('chart.js did not load (chart.umd.min.js missing from the dashboard build)');
  lib.defaults.color = '#c9d1dc';
  lib.defaults.borderColor = 'rgba(255,255,255,0.12)';
  lib.defaults.font.size = 13;
  return lib;
}

/** One colour per quantity, the same on every chart (and in the legend text). */
export const COLOURS = {
  depth: '#4fc3f7',
  flexion: '#ffb74d',
  tilt: '#ce93d8',
  cutoff: '#ff5252',
  wink: '#ff4081',
  winkRate: '#aed581',
} as const;
