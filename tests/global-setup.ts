/**
 * Before any test file: build the `squatmon` command (dist/cli/) from the sources as they are, so the tests that
 * run bin/squatmon.js as a process run what a user's `npm install` builds, never a stale build.
 */
import { buildCli } from '../scripts/build-cli.ts';

export default async function setup(): Promise<void> {
  await buildCli();
}
