#!/usr/bin/env node
// Entry point of the `squatmon` command. The code base is TypeScript run through tsx's loader,
// so there is no build step between a checkout and a working command.
import { register } from 'tsx/esm/api';

register();
// A closed pipe (`squatmon orient rec.csv | head`) ends the command quietly, as for any Unix tool.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
const { main } = await import('../gateway/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
