/**
 * Posture → corrective plan (docs/COACHING.md). squatmon is a training aid, not a diagnosis: every plan
 * carries the disclaimer and the advice to see a physical therapist or qualified coach.
 */
import type { Exercise, MuscleId } from './muscles.ts';
import { MUSCLE_NAMES, STRENGTHEN, STRETCH } from './muscles.ts';
import type { PelvicTilt } from '../../shared/posture.ts';


/** The contract's drill entry (docs/INTERFACES.md §4). */
export interface DrillEntry {
  readonly muscle: MuscleId;
  readonly exercises: string[];
}

export interface Drills {
  readonly strengthen: DrillEntry[];
  readonly stretch: DrillEntry[];
}

/**
 * Which muscles to strengthen and stretch for each standing posture. The two tilts need roughly opposite
 * work: back strengthening helps a posterior tilter and worsens an anterior one.
 */
const MUSCLES_BY_TILT: Record<PelvicTilt, { strengthen: MuscleId[]; stretch: MuscleId[] }> = {
  anterior: {
    strengthen: ['glute_medius', 'glute_maximus', 'abdominals', 'hamstrings'],
    stretch: ['lower_back', 'hip_flexors'],
  },
  posterior: {
    strengthen: ['lower_back', 'hip_flexors'],
    stretch: ['hamstrings', 'glutes', 'abdominals'],
  },
  neutral: { strengthen: [], stretch: [] },
};

function entries(muscles: MuscleId[], library: Partial<Record<MuscleId, readonly Exercise[]>>): DrillEntry[] {
  return muscles.map((muscle) => ({ muscle, exercises: (library[muscle] ?? []).map((e) => e.name) }));
}

/** The `drills` field of the session object. */
export function drillsFor(tilt: PelvicTilt): Drills {
  const m = MUSCLES_BY_TILT[tilt];
  return { strengthen: entries(m.strengthen, STRENGTHEN), stretch: entries(m.stretch, STRETCH) };
}

export interface RoutineStep {
  readonly muscle: MuscleId;
  readonly muscleName: string;
  readonly exercise: Exercise;
}

export interface CorrectivePlan {
  readonly tilt: PelvicTilt;
  readonly summary: string;
  readonly selfCheck: string;
  /** About 5 minutes before the main work: activate the weak muscles so they take part in the squat. */
  readonly warmUp: { readonly minutes: number; readonly steps: RoutineStep[] };
  /** About 5 minutes after the main work: static stretches of the over-worked muscles. */
  readonly coolDown: { readonly minutes: number; readonly breathsPerStretch: number; readonly steps: RoutineStep[] };
  readonly sessionsPerWeek: number;
  readonly bracing: string;
  readonly painDay: string[];
  readonly disclaimer: string;
}

const SUMMARIES: Record<PelvicTilt, string> = {
  anterior:
    'Your pelvis rests tilted forward (anterior tilt, increased lower-back curve). This pattern usually comes with tight lower-back muscles and hip flexors and under-active glutes, hamstrings and abdominals. Strengthen the weak side and stretch the tight side; avoid extra lower-back strengthening for now.',
  posterior:
    'Your pelvis rests tilted backward (posterior tilt, flattened lower back, tailbone tucked under). This pattern usually comes with tight hamstrings, glutes and abdominals and under-active lower-back muscles and hip flexors.',
  neutral:
    'Your standing pelvic position is within the normal range. No corrective programme is needed for posture; keep bracing well and watch your depth for butt wink.',
};

export const SELF_CHECK =
  'Look at yourself side-on in a mirror, standing relaxed: a bottom that sticks out points to an anterior tilt, a bottom tucked under points to a posterior tilt. A physical therapist or qualified coach can assess it properly.';

export const BRACING_REMINDER =
  'Before each rep, breathe in and brace your trunk as if about to be pushed: the pressure in the abdomen supports the spine as much as a good stance does.';

export const PAIN_DAY_ADVICE: string[] = [
  'Do not stop training for weeks: take the weight off and do air squats through a comfortable range to keep the movement.',
  'Finish the session with your corrective warm-up and stretches.',
  'In the next sessions, substitute a leg exercise that does not hurt your back, and keep practising the squat pattern with no load.',
  'Add weight back gradually once the back feels better.',
];

export const DISCLAIMER =
  'squatmon is a training aid, not a medical device or a diagnosis. If you have back pain, numbness, or pain that lasts, see a physical therapist or doctor; a qualified coach can check your technique.';

function routine(muscles: DrillEntry[], library: Partial<Record<MuscleId, readonly Exercise[]>>): RoutineStep[] {
  return muscles.flatMap((entry) =>
    (library[entry.muscle] ?? []).map((exercise) => ({ muscle: entry.muscle, muscleName: MUSCLE_NAMES[entry.muscle], exercise })),
  );
}

export function correctivePlan(tilt: PelvicTilt): CorrectivePlan {
  const drills = drillsFor(tilt);
  return {
    tilt,
    summary: SUMMARIES[tilt],
    selfCheck: SELF_CHECK,
    warmUp: { minutes: 5, steps: routine(drills.strengthen, STRENGTHEN) },
    coolDown: { minutes: 5, breathsPerStretch: 10, steps: routine(drills.stretch, STRETCH) },
    sessionsPerWeek: 3,
    bracing: BRACING_REMINDER,
    painDay: PAIN_DAY_ADVICE,
    disclaimer: DISCLAIMER,
  };
}
