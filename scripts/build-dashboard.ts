/**
 * Builds the dashboard the gateway serves (`dashboard/dist`): bundles dashboard/src/main.ts for the browser with
 * esbuild, copies the page and its stylesheet, and copies chart.js's self-contained UMD build next to them so the
 * page works on a gym LAN with no internet (no CDN). Usage: `tsx scripts/build-dashboard.ts [--out DIR]`.
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DASHBOARD = join(ROOT, 'dashboard');
export const DEFAULT_DASHBOARD_DIST = join(DASHBOARD, 'dist');

/** The static files copied as they are. */
const STATIC_FILES = ['index.html', 'styles.css'];

export interface DashboardBuild {
  readonly outDir: string;
  readonly files: readonly string[];
}

/** Builds into `outDir` (emptied first, so no stale file is served). */
export async function buildDashboard(outDir: string = DEFAULT_DASHBOARD_DIST): Promise<DashboardBuild> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [join(DASHBOARD, 'src', 'main.ts')],
    outfile: join(outDir, 'app.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    // Phones a few years old still run this: Safari 15 / Chrome 100 understand ES2020 without transforms.
    target: ['es2020', 'safari15', 'chrome100', 'firefox100'],
    minify: true,
    sourcemap: 'linked',
    // chart.js is loaded by its own <script> as the global `Chart`; the bundle only uses its types.
    external: ['chart.js'],
    logLevel: 'warning',
  });
  for (const file of STATIC_FILES) await copyFile(join(DASHBOARD, file), join(outDir, file));
  const chartEntry = createRequire(import.meta.url).resolve('chart.js');
  await copyFile(join(dirname(chartEntry), 'chart.umd.min.js'), join(outDir, 'chart.umd.min.js'));
  return { outDir, files: ['app.js', 'app.js.map', ...STATIC_FILES, 'chart.umd.min.js'] };
}

function outArgument(argv: readonly string[]): string {
  const at = argv.indexOf('--out');
  if (at === -1) return DEFAULT_DASHBOARD_DIST;
  const value = argv[at + 1];
  if (value === undefined || value.startsWith('--')) throw new Error('--out needs a folder');
  return resolve(value);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const result = await buildDashboard(outArgument(process.argv.slice(2)));
    process.stdout.write(`dashboard built in ${result.outDir}: ${result.files.join(', ')}\n`);
  } catch (err) {
    process.stderr.write(`build-dashboard: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
