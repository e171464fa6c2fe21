/** The readable form of `squatmon analyze` (without --jsonl): a rep table, the cues, posture and coaching. */
import type { CueEvent, RepEvent } from '../sensing/events.ts';
import type { SessionSummary } from '../coach/session-summary.ts';
import { correctivePlan, DISCLAIMER } from '../coach/plan.ts';
import { MUSCLE_NAMES } from '../coach/muscles.ts';
import { stoppingDepthAdvice } from '../coach/stopping-depth.ts';

/** An angle for the text: "12.3°", or "not measured" (never a lone "–°"). */
function degrees(value: number | null): string {
  return value === null ? 'not measured' : `${value.toFixed(1)}°`;
}

function cell(value: number | null, digits = 1): string {
  return value === null ? '–' : value.toFixed(digits);
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

export function formatAnalysisReport(path: string, reps: RepEvent[], cues: CueEvent[], session: SessionSummary, cutoffCm: number | null): string {
  const out: string[] = [];
  const sensors = session.sensors.map((s) => `${s.id} ${s.placement}`).join(', ');
  out.push(`${path}: ${session.sensors.length} sensor(s) (${sensors}), ${session.reps} rep(s)`);
  out.push('');
  if (reps.length > 0) {
    out.push(
      table(
        ['rep', 'start s', 'bottom s', 'end s', 'depth cm', 'flexion max °', 'pelvic tilt max °', 'wink °', 'butt wink', 'onset cm'],
        reps.map((r) => [
          String(r.index),
          r.t_start.toFixed(2),
          r.t_bottom.toFixed(2),
          r.t_end.toFixed(2),
          cell(r.depth_cm),
          cell(r.lumbar_flexion_max_deg),
          cell(r.pelvic_tilt_max_deg),
          cell(r.wink_deg),
          r.butt_wink ? 'YES' : 'no',
          cell(r.wink_onset_depth_cm),
        ]),
      ),
    );
  } else {
    out.push(`No reps found: ${session.no_reps_reason ?? 'no movement went 10 cm down and back up'}.`);
  }
  if (cutoffCm !== null) {
    out.push('');
    out.push(`Depth cues at ${cutoffCm} cm: ${cues.length === 0 ? 'none' : cues.map((c) => `rep ${c.rep} at ${c.t.toFixed(2)} s`).join(', ')}`);
  }
  out.push('');
  const posture =
    session.pelvic_tilt === null
      ? 'unknown (no quiet standing, or no sacrum sensor)'
      : `${session.pelvic_tilt} pelvic tilt — sacral inclination ${degrees(session.sacral_inclination_deg)}, standing lordosis ${degrees(session.standing_lordosis_deg)}`;
  out.push(`Standing posture: ${posture}`);
  out.push(`Suggested stopping depth: ${session.suggested_cutoff_cm === null ? 'none (no butt wink)' : `${session.suggested_cutoff_cm} cm`}`);
  out.push(`  ${stoppingDepthAdvice(session.suggested_cutoff_cm, session.suggestion_basis)}`);
  if (session.pelvic_tilt !== null && session.pelvic_tilt !== 'neutral') {
    const plan = correctivePlan(session.pelvic_tilt);
    out.push('');
    out.push(plan.summary);
    const drills = (entries: typeof session.drills.strengthen) => entries.map((d) => `${MUSCLE_NAMES[d.muscle]} (${d.exercises.join(', ')})`).join('; ');
    out.push(`Warm-up (about ${plan.warmUp.minutes} min), strengthen: ${drills(session.drills.strengthen)}`);
    out.push(`Cool-down (about ${plan.coolDown.minutes} min, ${plan.coolDown.breathsPerStretch} deep breaths per stretch), stretch: ${drills(session.drills.stretch)}`);
    out.push(`At least ${plan.sessionsPerWeek} sessions a week.`);
  }
  out.push('');
  out.push(DISCLAIMER);
  return `${out.join('\n')}\n`;
}
