/** `squatmon orient <recording>`: the causal orientation of every sample (docs/INTERFACES.md §5). */
import type { Command } from './command.ts';
import { UsageError } from './command.ts';
import { parseCommandArgs } from './args.ts';
import { requireSamples, withRecording } from './recording-input.ts';
import { OrientationFilter } from '../sensing/orientation/index.ts';
import { gyroBiasesFrom } from '../../shared/recording/index.ts';

const USAGE = `Usage: squatmon orient <recording.csv[.gz]>

Prints CSV on stdout, header t,sensor,qw,qx,qy,qz: for every sample, the orientation filter's causal
sensor-to-earth quaternion (earth z up, heading arbitrary), exactly as the live pipeline computes it.
Every sensor of the recording is processed, whatever its placement.

A bad recording is reported as path:line: message on stderr with exit code 2, and nothing is printed.`;

export const orientCommand: Command = {
  usage: USAGE,
  async run(args, io) {
    const { positionals } = parseCommandArgs(args, {}, true);
    if (positionals.length !== 1) throw new UsageError('expected exactly one recording file');
    const path = positionals[0];
    return withRecording(path, io, async (reader) => {
      const learned = gyroBiasesFrom(reader.header.comments);
      const filters = new Map(
        reader.header.sensors.map((s) => {
          const filter = new OrientationFilter();
          const bias = learned.get(s.id);
          if (bias) filter.seedGyroBias(bias);
          return [s.id, filter];
        }),
      );
      const q = new Float64Array(4);
      // Output is held until the whole file has been read, so a bad line leaves nothing half-printed.
      const chunks: string[] = ['t,sensor,qw,qx,qy,qz\n'];
      for await (const batch of reader.batches()) {
        let text = '';
        for (const s of batch) {
          const filter = filters.get(s.sensor)!;
          filter.update(s.t, s.ax, s.ay, s.az, s.gx, s.gy, s.gz);
          filter.quaternion(q);
          text += `${s.t.toFixed(4)},${s.sensor},${q[0].toFixed(6)},${q[1].toFixed(6)},${q[2].toFixed(6)},${q[3].toFixed(6)}\n`;
        }
        chunks.push(text);
      }
      requireSamples(reader);
      for (const chunk of chunks) io.stdout.write(chunk);
      return 0;
    });
  },
};
