/** Runs `squatmon` subcommands in-process with captured output. */
import { PassThrough } from 'node:stream';
import { main } from '../../gateway/cli/main.ts';

export async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const code = await main(args, { stdout, stderr });
  return { code, stdout: out, stderr: err };
}
