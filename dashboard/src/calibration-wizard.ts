/**
 * The calibration wizard: quiet standing, then the optional pelvic-tilt range test (full anterior, full
 * posterior) and the optional maximum lumbar flexion test. Each step guides the lifter with a countdown and sends
 * the `calibrate` command, which stores the calibration and marks it as an event in the set's recording (the next
 * set's, when none is open): at the step's end, once the lifter has held the position — except the maximum
 * flexion test, which the gateway measures over the 10 s after the command, so it is sent as the step begins.
 */
import type { AppContext } from './context.ts';
import { fill, h } from './dom.ts';
import { deg } from './format.ts';
import type { CalibrationKind } from './wire.ts';

interface Step {
  readonly kind: CalibrationKind;
  readonly title: string;
  readonly optional: boolean;
  /** What the lifter does, second by second: [from second, instruction]. */
  readonly script: readonly (readonly [number, string])[];
  readonly seconds: number;
  /** When `calibrate` is sent: after the countdown, or before it (the gateway measures what follows). */
  readonly send: 'end' | 'start';
}

/** The gateway's maximum flexion test window (MAX_FLEXION_TEST_S in gateway/sensing/athlete-pipeline.ts). */
const MAX_FLEXION_TEST_S = 10;

const STEPS: readonly Step[] = [
  {
    kind: 'standing',
    title: 'Quiet standing',
    optional: false,
    seconds: 5,
    send: 'end',
    script: [[0, 'Stand tall and still, feet hip-width apart, arms relaxed. Breathe normally.']],
  },
  {
    kind: 'tilt_range',
    title: 'Pelvic-tilt range (optional)',
    optional: true,
    seconds: 10,
    send: 'end',
    script: [
      [0, 'Tilt your pelvis fully forward: arch the lower back, bottom out. Hold.'],
      [5, 'Now tilt it fully backward: flatten the lower back, tuck the bottom under. Hold.'],
    ],
  },
  {
    kind: 'max_flexion',
    title: 'Maximum lumbar flexion (optional)',
    optional: true,
    seconds: MAX_FLEXION_TEST_S,
    send: 'start',
    script: [
      [0, 'Slowly bend forward and round your lower back as far as is comfortable. Never into pain.'],
      [6, 'Hold… then roll back up to standing.'],
    ],
  },
];

export class CalibrationWizard {
  readonly element: HTMLElement;
  private readonly body = h('div', { class: 'wizard-body', 'aria-live': 'polite' });
  private index = 0;
  private readonly results: string[] = [];
  private timer: number | null = null;

  constructor(private readonly ctx: AppContext) {
    this.element = h('div', { class: 'wizard', 'data-testid': 'calibration-wizard' }, this.body);
    this.showIntro();
  }

  private showIntro(): void {
    this.index = 0;
    this.results.length = 0;
    fill(
      this.body,
      h('p', {}, 'Wear the sensors as for training. The wizard takes under a minute: quiet standing, then two optional tests.'),
      h('button', { type: 'button', onclick: () => this.showStep() }, 'Start calibration'),
    );
  }

  private showStep(): void {
    const step = STEPS[this.index];
    if (!step) return this.showDone();
    fill(
      this.body,
      h('h4', {}, `Step ${this.index + 1} of ${STEPS.length}: ${step.title}`),
      h('p', {}, step.script[0][1]),
      h(
        'div',
        { class: 'button-row' },
        h('button', { type: 'button', onclick: () => void this.begin(step) }, 'Begin'),
        step.optional ? h('button', { type: 'button', class: 'secondary', onclick: () => this.next(`${step.title}: skipped`) }, 'Skip') : null,
      ),
    );
  }

  private async begin(step: Step): Promise<void> {
    const sentFirst = step.send === 'start' ? await this.send(step) : undefined;
    if (sentFirst === null) return;
    await this.countdown(step);
    const result = sentFirst ?? (await this.send(step));
    if (result !== null) this.next(result);
  }

  /** Guides the lifter through the step, second by second; resolves when its time is up. */
  private countdown(step: Step): Promise<void> {
    const instruction = h('p', { class: 'wizard-instruction' });
    const count = h('div', { class: 'big-number' });
    fill(this.body, h('h4', {}, step.title), instruction, count);
    const started = performance.now();
    return new Promise((done) => {
      const tick = () => {
        const elapsed = (performance.now() - started) / 1000;
        if (elapsed >= step.seconds) {
          this.timer = null;
          done();
          return;
        }
        const line = [...step.script].reverse().find(([from]) => elapsed >= from);
        instruction.textContent = line?.[1] ?? '';
        count.textContent = String(Math.ceil(step.seconds - elapsed));
        this.timer = window.setTimeout(tick, 200);
      };
      tick();
    });
  }

  /** Sends the step's `calibrate`: its result line, or null when it failed (the error is shown, with a retry). */
  private async send(step: Step): Promise<string | null> {
    const athlete = this.ctx.selection.id;
    fill(this.body, h('p', {}, 'Recording…'));
    try {
      if (athlete === null) throw new Error('no athlete is selected');
      const answer = await this.ctx.api.calibrate(athlete, step.kind);
      const values = answer.data?.values ?? {};
      const parts = Object.entries(values).map(([k, v]) => `${k.replace(/_deg$/, '').replace(/_/g, ' ')} ${deg(v, 1)}`);
      return `${step.title}: recorded${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
    } catch (err) {
      fill(
        this.body,
        h('p', { class: 'error' }, `Not recorded: ${(err as Error).message}`),
        h('button', { type: 'button', onclick: () => this.showStep() }, 'Try again'),
      );
      return null;
    }
  }

  private next(result: string): void {
    this.results.push(result);
    this.index++;
    this.showStep();
  }

  private showDone(): void {
    if (this.timer !== null) window.clearTimeout(this.timer);
    fill(
      this.body,
      h('h4', {}, 'Calibration done'),
      h('ul', {}, ...this.results.map((r) => h('li', {}, r))),
      h('p', { class: 'muted' }, 'Each test is stored with the athlete and marked as an event in the recording.'),
      h('button', { type: 'button', class: 'secondary', onclick: () => this.showIntro() }, 'Calibrate again'),
    );
  }
}
