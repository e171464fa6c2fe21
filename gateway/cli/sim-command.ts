/** `squatmon sim`: simulate a set and write it as a recording v1 with its ground truth. */
import { writeFile, rename } from 'node:fs/promises';
import type { Command } from './command.ts';
import { checkOutputPath, UsageError } from './command.ts';
import { integerOption, numberOption, parseCommandArgs } from './args.ts';
import { RecordingWriter } from '../../shared/recording/index.ts';
import { isOutputRateHz } from '../../shared/protocol/index.ts';
import { ATHLETE_PROFILES, profileByName, profileFromSeed } from '../../firmware-sim/model/index.ts';
import type { AthleteProfile } from '../../firmware-sim/model/index.ts';
import { simulateRecording } from '../sources/simulated-recording.ts';
import type { SimulatedRecording } from '../sources/simulated-recording.ts';
import { RANDOMIZED_CONDITIONS, describeRandomizedSet, isRandomizedCondition, randomizedSetSpec } from '../../firmware-sim/randomized-sets.ts';
import { simulateRandomizedSet } from '../../gateway/sources/simulated-recording.ts';

function describeProfile(p: AthleteProfile): string {
  const wink = p.winkDeg > 0 && p.winkOnsetCm < p.depthCm ? `${p.winkDeg}° wink from ${p.winkOnsetCm} cm` : 'no wink';
  const pause = p.pauseS > 0 ? `, ${p.pauseS} s pause` : '';
  return `sacrum ${p.sacralInclinationDeg}°, lordosis ${p.standingLordosisDeg}°, ${p.depthCm} cm, ${wink}${pause}`;
}

const PROFILE_LIST = Object.values(ATHLETE_PROFILES)
  .map((p) => `  ${p.name.padEnd(14)} ${describeProfile(p)}`)
  .join('\n');

const USAGE = `Usage: squatmon sim (--profile NAME | --seed N) --out rec.csv[.gz] [options]
       squatmon sim --randomize CONDITION [--seed N] --out rec.csv[.gz] [--truth FILE] [--mtu N] [--duplicates PCT]

Simulates one set of squats — a biomechanical model of the lifter, physically derived readings of each IMU,
the sensor firmware's BLE frames and the radio link — and writes what the gateway would record
(recording v1, docs/INTERFACES.md §3), plus the ground truth of every rep by the contract's definitions.

Options:
  --profile NAME        a named athlete (below); with --seed, the seed varies the details
  --seed N              random seed (0..4294967295); alone, it also draws a random athlete
  --reps N              reps in the set (default 5)
  --sensors WHICH       sacrum | both (default both: T12/L1 + sacrum)
  --rate HZ             sensor output rate: 50, 100, 200 or 400 (default 100)
  --mtu N               negotiated ATT MTU, 23..512 (default 247)
  --loss PCT            notification loss in bursts, percent (default 0)
  --duplicates PCT      duplicated notifications, percent (default 0)
  --no-walkout          no walk-out and re-rack steps
  --randomize CONDITION a domain-randomised set (docs/SIMULATOR.md): the seed and the condition group draw
                        the athlete, reps, sensors, rate, faces, sway, rests, sensor errors and packet loss
                        (so --profile, --reps, --sensors, --rate, --loss and --no-walkout are refused).
                        Groups: ${RANDOMIZED_CONDITIONS.join(', ')}
  --out FILE            the recording (.csv or .csv.gz)
  --truth FILE          the ground truth as JSON (true time: the recording's clock reads ≈ 7.5 ms later,
                        the radio link's minimum latency; see docs/SIMULATOR.md)

Athlete profiles:
${PROFILE_LIST}
  seed-<n>       the random athlete of seed n`;

export const simCommand: Command = {
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      profile: { type: 'string' },
      seed: { type: 'string' },
      reps: { type: 'string' },
      sensors: { type: 'string' },
      rate: { type: 'string' },
      mtu: { type: 'string' },
      loss: { type: 'string' },
      duplicates: { type: 'string' },
      'no-walkout': { type: 'boolean' },
      randomize: { type: 'string' },
      out: { type: 'string' },
      truth: { type: 'string' },
    });
    const randomize = values.randomize;
    if (values.profile === undefined && values.seed === undefined && randomize === undefined) {
      throw new UsageError('give --profile NAME, --seed N or --randomize CONDITION');
    }
    if (values.out === undefined) throw new UsageError('--out FILE is required');
    const seed = integerOption(values.seed, 'seed', 0, 0xffff_ffff) ?? 1;
    const duplicatesPct = numberOption(values.duplicates, 'duplicates', 0, 50) ?? 0;
    const attMtu = integerOption(values.mtu, 'mtu', 23, 512) ?? 247;
    // Both outputs' folders must exist before anything is simulated or written: never a recording without the
    // truth asked for.
    await checkOutputPath(values.out, 'out');
    if (values.truth !== undefined) await checkOutputPath(values.truth, 'truth');
    let profile: AthleteProfile;
    let sim: SimulatedRecording;
    let rate: number;
    let lossPct: number;
    let randomization: ReturnType<typeof describeRandomizedSet> | undefined;
    if (randomize !== undefined) {
      if (!isRandomizedCondition(randomize)) {
        throw new UsageError(`--randomize must be one of ${RANDOMIZED_CONDITIONS.join(', ')}, got '${randomize}'`);
      }
      // The condition group draws these; accepting them too would make the set no longer the seed's.
      const drawn = ['profile', 'reps', 'sensors', 'rate', 'loss', 'no-walkout'] as const;
      const clash = drawn.filter((name) => values[name] !== undefined);
      if (clash.length > 0) throw new UsageError(`--randomize draws ${clash.map((n) => `--${n}`).join(', ')} itself`);
      const spec = randomizedSetSpec(seed, randomize);
      profile = spec.profile;
      rate = spec.rateHz;
      lossPct = spec.lossRate * 100;
      randomization = describeRandomizedSet(spec);
      sim = simulateRandomizedSet(spec, { duplicateRate: duplicatesPct / 100, attMtu });
    } else {
      try {
        profile = values.profile !== undefined ? profileByName(values.profile) : profileFromSeed(seed);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      const sensors = values.sensors ?? 'both';
      if (sensors !== 'sacrum' && sensors !== 'both') throw new UsageError(`--sensors must be sacrum or both, got '${sensors}'`);
      rate = integerOption(values.rate, 'rate', 50, 400) ?? 100;
      if (!isOutputRateHz(rate)) throw new UsageError(`--rate must be 50, 100, 200 or 400, got ${rate}`);
      lossPct = numberOption(values.loss, 'loss', 0, 50) ?? 0;
      sim = simulateRecording({
        profile,
        seed,
        reps: integerOption(values.reps, 'reps', 1, 500) ?? 5,
        sensors,
        rateHz: rate,
        attMtu,
        link: { lossRate: lossPct / 100, duplicateRate: duplicatesPct / 100 },
        model: { walkout: !values['no-walkout'] },
      });
    }

    const writer = await RecordingWriter.create(values.out, {
      sensors: sim.sensors,
      comments: [
        'source: squatmon sim',
        'simulated: true',
        `profile: ${profile.name}`,
        `seed: ${seed}`,
        ...(randomize !== undefined ? [`randomize: ${randomize}`] : []),
      ],
    });
    try {
      for (const sample of sim.samples) if (!writer.write(sample)) await writer.drain();
      await writer.close();
    } catch (err) {
      await writer.abort();
      throw err;
    }
    if (values.truth !== undefined) {
      const simulation = { rate_hz: rate, loss_pct: lossPct, duplicates_pct: duplicatesPct, sensors: sim.report };
      const truth = { ...sim.truth, simulation, ...(randomization !== undefined ? { randomization } : {}) };
      const temporary = `${values.truth}.tmp-${process.pid}`;
      await writeFile(temporary, `${JSON.stringify(truth, null, 2)}\n`);
      await rename(temporary, values.truth);
    }
    const lost = sim.report.reduce((n, s) => n + s.frames_lost, 0);
    io.stderr.write(
      `squatmon sim: ${profile.name}, seed ${seed}: ${sim.truth.reps.length} reps, ${sim.samples.length} samples ` +
        `from ${sim.sensors.length} sensor(s) at ${rate} Hz, ${lost} frames lost → ${values.out}\n`,
    );
    return 0;
  },
};
