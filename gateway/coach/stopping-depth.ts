/** What squatmon tells the lifter about their stopping depth (the number itself: shared/posture.ts). */
import { CUTOFF_MARGIN_CM } from '../../shared/posture.ts';
import type { SuggestionBasis } from '../../shared/posture.ts';

/**
 * Below this a stopping depth would not train a squat: a lifter whose pelvis tucks under that early needs the
 * corrective work first, not a cue at a few centimetres, cm.
 */
export const MIN_USEFUL_CUTOFF_CM = 20;

/** "3", "3 and 4", "3, 4 and 5". */
function repList(reps: readonly number[]): string {
  if (reps.length <= 1) return reps.join('');
  return `${reps.slice(0, -1).join(', ')} and ${reps[reps.length - 1]}`;
}

function onsetRange(basis: SuggestionBasis): string {
  const lo = Math.round(basis.onset_min_cm);
  const hi = Math.round(basis.onset_max_cm);
  return lo === hi ? `${lo} cm` : `${lo}–${hi} cm`;
}

/** A basis as stored by any version: trusted only when it has the expected shape (older summaries lack it). */
function validBasis(basis: unknown): SuggestionBasis | null {
  if (typeof basis !== 'object' || basis === null) return null;
  const b = basis as Partial<SuggestionBasis>;
  const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
  if (!finite(b.onset_cm) || !finite(b.onset_min_cm) || !finite(b.onset_max_cm)) return null;
  if (!Array.isArray(b.reps) || b.reps.length === 0 || !b.reps.every((r) => Number.isInteger(r))) return null;
  return b as SuggestionBasis;
}

/**
 * The advice for a suggested stopping depth, saying what it rests on when the basis is known: the same text in
 * the live and coaching views, the REST plan and the readable `analyze` report.
 */
export function stoppingDepthAdvice(cutoffCm: number | null, basisInput?: unknown): string {
  if (cutoffCm === null) {
    return 'No butt wink detected in this session: keep your current depth as long as it feels good.';
  }
  const basis = validBasis(basisInput);
  const where = basis
    ? `Your pelvis started tucking under at ${onsetRange(basis)} in rep${basis.reps.length > 1 ? 's' : ''} ${repList(basis.reps)}.`
    : `Your lower back started rounding below about ${cutoffCm + CUTOFF_MARGIN_CM} cm.`;
  if (cutoffCm < MIN_USEFUL_CUTOFF_CM) {
    return `${where} That is too shallow for a useful stopping depth: work on the corrective plan first, squat to a box set at a height where your back stays neutral, and see a physical therapist if it hurts.`;
  }
  return `${where} Stop at ${cutoffCm} cm for now, get strong there, and extend the depth gradually over the coming weeks while the back stays neutral.`;
}
