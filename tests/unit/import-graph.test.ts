/**
 * The code's layers, lowest first. A module may import from its own folder and from folders below it, never from
 * a folder above (which also rules out cycles between folders). Type-only imports count too: a type from above
 * ties a lower folder to a higher one as surely as a value does. docs/ARCHITECTURE.md explains the layers.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** Lowest first. gateway/ is split into its top-level folders; the other roots are one layer each. */
const LAYERS = [
  'shared', // formats, units, protocol: no imports from the project
  'firmware-sim', // the simulated sensors and their radio: knows nothing of the gateway
  'gateway/ingest', // timestamps, sequence numbers, clock mapping of sensor notifications
  'gateway/sensing', // the sensing core: samples in, events out; pure, and knows nothing of coaching
  'gateway/coach', // coaching content (postures, drills, stopping-depth advice), joined to the sensing summary
  'gateway/core', // the kernel: domain types, ids, logger, the command contract
  'gateway/ble', // sensor drivers (the registry of driver names) and the BLE connection manager
  'gateway/config',
  'gateway/store',
  'gateway/mqtt',
  'gateway/sources', // where samples come from: simulated sensors, recordings
  'gateway/http',
  'gateway/service', // the composition root: assembles sources, sensing and sinks from the config
  'gateway/cli',
] as const;

function layerOf(file: string): string | null {
  const parts = relative(ROOT, file).split('/');
  const key = parts[0] === 'gateway' ? `gateway/${parts[1]}` : parts[0];
  return (LAYERS as readonly string[]).includes(key) ? key : null;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Relative module specifiers of static imports/exports (type-only included) and dynamic import() calls. */
function importsOf(text: string): string[] {
  const specs: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^'";]*?\bfrom\s*'(\.[^']+)'/gm)) specs.push(m[1]);
  for (const m of text.matchAll(/^\s*import\s*'(\.[^']+)'/gm)) specs.push(m[1]);
  for (const m of text.matchAll(/\bimport\(\s*'(\.[^']+)'\s*\)/g)) specs.push(m[1]);
  return specs;
}

const FILES = ['shared', 'firmware-sim', 'gateway'].flatMap((d) => sourceFiles(join(ROOT, d)));

describe('import graph', () => {
  it('places every top-level folder of gateway/ in a layer', () => {
    const folders = readdirSync(join(ROOT, 'gateway')).filter((f) => statSync(join(ROOT, 'gateway', f)).isDirectory());
    expect(folders.filter((f) => layerOf(join(ROOT, 'gateway', f, 'x.ts')) === null)).toEqual([]);
  });

  it('has no import from a folder into a folder above it (so no cycle between folders)', () => {
    const upward: string[] = [];
    let crossing = 0;
    for (const file of FILES) {
      const from = layerOf(file)!;
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        const to = layerOf(resolve(dirname(file), spec));
        if (to === null || to === from) continue;
        crossing++;
        if (LAYERS.indexOf(to as never) > LAYERS.indexOf(from as never)) upward.push(`${relative(ROOT, file)} → ${spec} (${from} imports ${to}, a layer above)`);
      }
    }
    expect(upward).toEqual([]);
    // Not vacuous: the folders do import each other, downwards.
    expect(crossing).toBeGreaterThan(100);
  });

  it('finds an upward import when there is one (the check itself)', () => {
    const file = join(ROOT, 'gateway', 'sensing', 'x.ts');
    const [spec] = importsOf("import type { Logger } from '../core/logger.ts';\n");
    expect(LAYERS.indexOf(layerOf(resolve(dirname(file), spec)) as never)).toBeGreaterThan(LAYERS.indexOf(layerOf(file) as never));
    expect(importsOf("const m = await import('../a.ts');\nexport * from './b.ts';\nimport './c.ts';")).toEqual(['./b.ts', './c.ts', '../a.ts']);
  });
});
