/**
 * Builds the `squatmon` command as plain JavaScript (`dist/cli/`), so that running it does not transpile
 * TypeScript first: esbuild bundles gateway/cli/main.ts and everything of ours it reaches, one chunk per lazily
 * imported part (a command's heavy dependencies load only when that command runs). npm packages stay external:
 * Node loads them from node_modules as usual.
 *
 * Next to the bundle it writes `inputs.json`: every source file the bundle was built from, with its size and
 * modification time. bin/squatmon.js runs the bundle only while all of them are unchanged and falls back on
 * the TypeScript sources otherwise, so an edited checkout never runs stale code.
 *
 * Runs at `npm install` / `npm ci` (postinstall) and before `npm start`. Usage: `tsx scripts/build-cli.ts`.
 */
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/**
 * Two folders below the root, as gateway/cli/ is: code that finds files relative to its own module
 * (`new URL('../../dashboard/dist', import.meta.url)`) finds the same ones from the bundle.
 */
export const CLI_DIST = join(ROOT, 'dist', 'cli');
export const CLI_ENTRY = 'main.js';
export const CLI_INPUTS = 'inputs.json';

/** One source file the bundle was made from: path relative to the root, size, modification time (ms). */
export type CliInput = readonly [path: string, size: number, mtimeMs: number];

export async function buildCli(outDir: string = CLI_DIST): Promise<{ outDir: string; inputs: number; chunks: number }> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const result = await build({
    entryPoints: { main: join(ROOT, 'gateway', 'cli', 'main.ts') },
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  const inputs: CliInput[] = [];
  for (const path of Object.keys(result.metafile.inputs)) {
    const absolute = resolve(ROOT, path);
    const { size, mtimeMs } = await stat(absolute);
    inputs.push([relative(ROOT, absolute), size, mtimeMs]);
  }
  await writeFile(join(outDir, CLI_INPUTS), JSON.stringify(inputs));
  const chunks = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js')).length;
  return { outDir, inputs: inputs.length, chunks };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const built = await buildCli();
    process.stdout.write(`squatmon command built in ${relative(ROOT, built.outDir)}: ${built.chunks} chunks from ${built.inputs} sources\n`);
  } catch (err) {
    process.stderr.write(`build-cli: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
