/**
 * The corrective exercise library (docs/COACHING.md). Exercise names are the coaching source's facts;
 * the descriptions are squatmon's own words. Muscle ids are the ones of docs/INTERFACES.md §4.
 */
export const MUSCLE_IDS = [
  'glute_medius',
  'glute_maximus',
  'abdominals',
  'hamstrings',
  'lower_back',
  'hip_flexors',
  'glutes',
] as const;
export type MuscleId = (typeof MUSCLE_IDS)[number];

export interface Exercise {
  readonly name: string;
  /** One or two plain sentences: how to do it. */
  readonly how: string;
}

export const MUSCLE_NAMES: Record<MuscleId, string> = {
  glute_medius: 'Glute medius',
  glute_maximus: 'Glute maximus',
  abdominals: 'Abdominals',
  hamstrings: 'Hamstrings',
  lower_back: 'Lower back',
  hip_flexors: 'Hip flexors',
  glutes: 'Glutes',
};

/** Strengthening (activation) work, by muscle. */
export const STRENGTHEN: Partial<Record<MuscleId, readonly Exercise[]>> = {
  glute_medius: [
    { name: 'Side wall pelvis push', how: 'Stand side-on to a wall, press the outer knee of the inside leg into it and hold, hips level.' },
    { name: 'Side-lying abduction', how: 'Lie on your side, legs straight, and lift the top leg slightly behind the body line; lower slowly.' },
    { name: 'Pelvic drop', how: 'Stand on one leg on a step, let the free hip drop, then lift it back up using the standing hip.' },
    { name: 'Side bridge', how: 'On one forearm and the side of the feet, lift the hips into a straight line and hold.' },
  ],
  glute_maximus: [
    { name: 'Single-leg deadlift', how: 'Hinge on one leg with a long spine, the free leg reaching back, then drive the hip forward to stand.' },
    { name: 'Single-leg squat', how: 'Squat on one leg to a depth you control, knee tracking over the foot, and stand back up.' },
  ],
  abdominals: [
    { name: 'Dead bug', how: 'On your back, arms and knees up, lower the opposite arm and leg while the lower back stays on the floor.' },
    { name: 'Front plank', how: 'Forearms and toes, body straight, ribs down and glutes tight; breathe behind the brace.' },
    { name: 'Pallof press', how: 'Hold a band at the chest side-on to its anchor, press it straight out and resist the twist.' },
  ],
  hamstrings: [
    { name: 'One-legged bridge', how: 'On your back, one foot on the floor, drive through the heel to lift the hips level.' },
    { name: 'Hamstring curl', how: 'Curl the heels towards the glutes on a machine, a ball or sliders, and lower under control.' },
  ],
  lower_back: [
    { name: 'Hyperextension', how: 'On a back-extension bench, lower the trunk under control and rise to a straight line, not beyond.' },
    { name: 'Superman', how: 'Face down, lift arms, chest and legs slightly off the floor, hold briefly, lower.' },
  ],
  hip_flexors: [
    { name: 'Seated leg lift', how: 'Sit tall with straight legs and lift one leg a few centimetres off the floor without leaning back.' },
    { name: 'Knee march', how: 'Standing or on your back, drive one knee up above hip height, hold, and alternate.' },
  ],
};

/** Stretches (for the cool-down), by muscle. */
export const STRETCH: Partial<Record<MuscleId, readonly Exercise[]>> = {
  lower_back: [
    { name: "Child's pose", how: 'Kneel, sit back on the heels and reach the arms forward, letting the lower back round and relax.' },
    { name: 'Head to knee', how: 'Seated with one leg straight, fold over it gently, bringing the head towards the knee.' },
    { name: 'Deep squat stretch', how: 'Sit into a deep bodyweight squat holding onto something and let the back relax.' },
  ],
  hip_flexors: [
    { name: 'Spiderman stretch', how: 'From a push-up position step one foot outside the hand and sink the hips forward.' },
    { name: 'Table stretch', how: 'Lie back on a table edge, hug one knee and let the other leg hang to open the front of the hip.' },
  ],
  hamstrings: [
    { name: 'Lying hamstring stretch', how: 'On your back, raise one straight leg with a strap or your hands until the back of the thigh stretches.' },
    { name: 'Step-forward stretch', how: 'Step one foot forward, heel down and toes up, and hinge over it with a long back.' },
  ],
  glutes: [
    { name: 'Seated glute stretch', how: 'Seated, cross one ankle over the other knee and lean forward with a tall chest.' },
    { name: 'Lying glute stretch', how: 'On your back, cross one ankle over the other knee and pull the lower thigh towards you.' },
  ],
  abdominals: [
    { name: 'Cobra stretch', how: 'Face down, hands under the shoulders, press the chest up while the hips stay on the floor.' },
    { name: 'Abdominal twist', how: 'On your back, knees bent, let both knees fall to one side while the shoulders stay down.' },
  ],
};
