/**
 * The repository is self-contained: its public contract is its own document (docs/INTERFACES.md) and every
 * reference to the contract, the coaching content or an architecture document resolves to a file in the
 * repository — a user's clone has no ../shared beside it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const TEAM_CONTRACT = resolve(ROOT, '../shared/INTERFACES.md');
const SKIPPED_DIRS = new Set(['node_modules', '.git', 'scratch', 'dist', 'coverage']);
const TEXT_FILE = /\.(ts|js|mjs|md|html|json|css)$/;
/** A mention of one of the reference documents, with any path before it. */
const REFERENCE = /([\w./-]*)(INTERFACES|ARCHITECTURE|COACHING)\.md/g;

function textFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (SKIPPED_DIRS.has(name)) return [];
    if (statSync(path).isDirectory()) return textFiles(path);
    return TEXT_FILE.test(name) ? [path] : [];
  });
}

describe('references to the contract and the other reference documents', () => {
  it('all resolve to a file inside the repository', () => {
    const unresolved: string[] = [];
    let found = 0;
    // This file names the team's copy on purpose (the comparison below).
    for (const file of textFiles(ROOT).filter((f) => f !== import.meta.filename)) {
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, i) => {
        for (const match of line.matchAll(REFERENCE)) {
          found++;
          const target = `${match[1]}${match[2]}.md`;
          // A path is read from the file's own folder (a Markdown link) or from the repository's root (a path
          // in a code comment such as docs/INTERFACES.md); either must exist and stay inside the repository.
          const candidates = [resolve(dirname(file), target), resolve(ROOT, target)];
          const inside = candidates.filter((p) => !relative(ROOT, p).startsWith('..') && existsSync(p));
          if (inside.length === 0) unresolved.push(`${relative(ROOT, file)}:${i + 1}: ${target}`);
        }
      });
    }
    expect(found).toBeGreaterThan(20);
    expect(unresolved).toEqual([]);
  });
});

const teamContract = existsSync(TEAM_CONTRACT) ? readFileSync(TEAM_CONTRACT, 'utf8') : null;
if (teamContract === null) console.warn(`skipped: the team's contract ${TEAM_CONTRACT} is absent (only beside the team's checkout)`);

describe.skipIf(teamContract === null)("docs/INTERFACES.md against the team's contract (../shared/INTERFACES.md)", () => {
  it('has the same sections and every normative line, but for the two lines that pointed outside the repository', () => {
    const ours = readFileSync(join(ROOT, 'docs/INTERFACES.md'), 'utf8');
    const headings = (text: string) => text.split('\n').filter((l) => /^## \d\./.test(l));
    expect(headings(ours)).toEqual(headings(teamContract!));
    const ourLines = new Set(ours.split('\n').map((l) => l.trim()));
    const body = teamContract!.slice(teamContract!.indexOf('## 1.'));
    const missing = body
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !ourLines.has(l));
    // The placement `other` example (a data folder of the team's) and the drills' pointer to the coaching
    // content, both rewritten to resolve inside the repository.
    expect(missing.length).toBeLessThanOrEqual(3);
    for (const line of missing) expect(line).toMatch(/data\/broad|COACHING\.md|Placement `other`/);
  });
});
