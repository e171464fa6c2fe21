/**
 * Generated documents with one section per tool (docs/PERFORMANCE.md): each tool rewrites its own `## ` section
 * and leaves the others alone.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';

/** Replaces the section that starts at `heading` (up to the next `## ` heading), or appends it. */
export function spliceSection(text: string, heading: string, section: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trimEnd() === heading);
  if (start < 0) return `${text.trimEnd()}\n\n${section.trimEnd()}\n`;
  let end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  if (end < 0) end = lines.length;
  const before = start > 0 ? `${lines.slice(0, start).join('\n')}\n` : '';
  const after = lines.slice(end).join('\n');
  return `${before}${section.trimEnd()}\n${after.length > 0 ? `\n${after}` : ''}`;
}

/** Rewrites one section of the document at `path` (created with `preamble` if missing); atomic by rename. */
export async function writeDocSection(path: string, heading: string, section: string, preamble: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    text = preamble;
  }
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, spliceSection(text, heading, section));
  await rename(temporary, path);
}

export const PERFORMANCE_PREAMBLE = `# Performance

Measured speed and resource use of squatmon. Each section is written by the tool named in it; rerun that tool to
refresh the section (the others are left alone).

`;
