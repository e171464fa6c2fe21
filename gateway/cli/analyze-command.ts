/** `squatmon analyze <recording>`: the live pipeline's reps, cues and session summary for a recording (§4). */
import type { Command } from './command.ts';
import { UsageError } from './command.ts';
import { numberOption, parseCommandArgs } from './args.ts';
import { requireSamples, withRecording } from './recording-input.ts';
import { ProgressBar } from './progress.ts';
import { formatAnalysisReport } from './analyze-report.ts';
import { AthletePipeline } from '../sensing/athlete-pipeline.ts';
import type { CueEvent, RepEvent, SensingEvent } from '../sensing/events.ts';
import { withDrills } from '../coach/session-summary.ts';
import { DEFAULT_WINK_THRESHOLD_DEG } from '../../shared/posture.ts';
import { gyroBiasesFrom, parseEventComment } from '../../shared/recording/index.ts';
import type { RecordingComment } from '../../shared/recording/index.ts';
import { RecordedEventPlayer } from '../sensing/recorded-events.ts';

const USAGE = `Usage: squatmon analyze <recording.csv[.gz]> [--jsonl] [--cutoff-cm N] [--wink-threshold-deg N]

Runs the live gateway's sensing pipeline over a recording: per rep the depth, lumbar flexion, pelvic tilt and
butt wink; the depth-cutoff cues; then the session (standing posture, suggested stopping depth, drills).

Options:
  --jsonl                   JSON Lines on stdout (docs/INTERFACES.md §4): a line per rep and cue in the order the
                            live gateway publishes them, then one session line. Without it: a readable report.
  --cutoff-cm N             cue depth, cm (0–150); without it, no cues
  --wink-threshold-deg N    butt wink when wink_deg ≥ N (default ${DEFAULT_WINK_THRESHOLD_DEG})

Sensors placed 'other' are ignored. A bad recording is reported as path:line: message on stderr with exit
code 2, and nothing is printed on stdout. A progress bar shows on stderr when it is a terminal.`;

export const analyzeCommand: Command = {
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { jsonl: { type: 'boolean' }, 'cutoff-cm': { type: 'string' }, 'wink-threshold-deg': { type: 'string' } },
      true,
    );
    if (positionals.length !== 1) throw new UsageError('expected exactly one recording file');
    const path = positionals[0];
    const cutoffCm = numberOption(values['cutoff-cm'], 'cutoff-cm', 0, 150) ?? null;
    const winkThresholdDeg = numberOption(values['wink-threshold-deg'], 'wink-threshold-deg', 0, 90) ?? DEFAULT_WINK_THRESHOLD_DEG;

    return withRecording(path, io, async (reader) => {
      const events: SensingEvent[] = [];
      // Later sets of a live session say what the gateway's orientation filters had learned: start from it, as it did.
      const gyroBias = gyroBiasesFrom(reader.header.comments);
      const pipeline = new AthletePipeline({ sensors: reader.header.sensors, cutoffCm, winkThresholdDeg, gyroBias, onEvent: (e) => events.push(e) });
      const progress = new ProgressBar(io, 'analyzing');
      // Calibration events (a maximum flexion test) take effect at their time, as they did live.
      const recordedEvents = new RecordedEventPlayer(pipeline);
      const addEvent = (comment: RecordingComment) => {
        const event = parseEventComment(comment);
        if (event) recordedEvents.add(event);
      };
      reader.header.comments.forEach(addEvent);
      let dataCommentsSeen = 0;
      for await (const batch of reader.batches()) {
        for (const dc of reader.dataComments.slice(dataCommentsSeen)) addEvent(dc.comment);
        dataCommentsSeen = reader.dataComments.length;
        for (const sample of batch) {
          recordedEvents.before(sample.t);
          pipeline.push(sample);
        }
        if (reader.progress) progress.update(reader.progress());
      }
      requireSamples(reader);
      progress.done();
      const session = withDrills(pipeline.finish());
      // Output only once the whole file was read: a bad line leaves nothing half-printed.
      if (values.jsonl) {
        // The session line as the contract has it: with the drills joined (the pipeline emits it without).
        io.stdout.write(events.map((e) => `${JSON.stringify(e.type === 'session' ? session : e)}\n`).join(''));
      } else {
        const reps = events.filter((e): e is RepEvent => e.type === 'rep');
        const cues = events.filter((e): e is CueEvent => e.type === 'cue');
        io.stdout.write(formatAnalysisReport(path, reps, cues, session, cutoffCm));
      }
      return 0;
    });
  },
};
