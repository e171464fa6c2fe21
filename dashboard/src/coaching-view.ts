/**
 * Coaching (docs/COACHING.md): the standing posture and what it means, the corrective plan (warm-up
 * activation, cool-down stretches with a breath guide, how often), bracing, the back-pain-day mode, the suggested
 * stopping depth with one click to make it the live cutoff, the calibration wizard, and the disclaimer. The texts
 * come from the gateway's own coaching module, bundled, so the page and the API say the same thing.
 */
import { correctivePlan } from '../../gateway/coach/plan.ts';
import { stoppingDepthAdvice } from '../../gateway/coach/stopping-depth.ts';
import { athletePicker } from './athlete-picker.ts';
import { BreathGuide } from './breath-guide.ts';
import { CalibrationWizard } from './calibration-wizard.ts';
import type { AppContext } from './context.ts';
import { fill, h } from './dom.ts';
import { cm, deg } from './format.ts';
import type { CorrectivePlan, PelvicTilt, PlanResponse } from './wire.ts';

const TILT_LABEL: Record<PelvicTilt, string> = {
  anterior: 'Anterior pelvic tilt (lordosis)',
  neutral: 'Neutral pelvis',
  posterior: 'Posterior pelvic tilt (flat back)',
};

const TILTS = ['anterior', 'neutral', 'posterior'] as const;
const PAIN_DAY_KEY = 'squatmon.pain-day';
/** What the keyboard can focus in a panel: a control keeps its place among these across a redraw. */
const CONTROLS = 'button, a[href], input, select, textarea';

export class CoachingView {
  readonly element: HTMLElement;
  private readonly posture = h('div', { class: 'panel', 'data-testid': 'posture' });
  /** The posture panel's text, redrawn as the session goes on. */
  private readonly postureContent = h('div');
  /** Its buttons are made once and only updated: a keyboard user's focus must survive the redraws after each rep. */
  private readonly postureButtons = TILTS.map((t) =>
    h(
      'button',
      {
        type: 'button',
        class: 'small secondary',
        'aria-pressed': 'false',
        onclick: () => {
          this.browsing = t === this.measuredTilt ? null : t;
          this.render();
        },
      },
      t,
    ),
  );
  private measuredTilt: PelvicTilt | null = null;
  private readonly depth = h('div', { class: 'panel', 'data-testid': 'stopping-depth' });
  private readonly plan = h('div', { class: 'panel', 'data-testid': 'plan' });
  private readonly painDay = h('div', { class: 'panel pain-day-panel' });
  private stored: PlanResponse | null = null;
  /** The posture whose plan is shown when the lifter asks for another than the measured one. */
  private browsing: PelvicTilt | null = null;
  private shownSummary = '';
  /** The live cutoff on screen: the frames tell when it changes (from this page, another one, or MQTT). */
  private shownCutoff: number | null | undefined = undefined;

  constructor(private readonly ctx: AppContext) {
    this.element = h(
      'section',
      { class: 'view coaching-view', 'aria-labelledby': 'coaching-title' },
      h('div', { class: 'view-head' }, h('h2', { id: 'coaching-title' }, 'Coaching'), athletePicker(ctx)),
      h('div', { class: 'coaching-grid' }, this.posture, this.depth, this.painDay, this.plan),
      h('div', { class: 'panel' }, h('h3', {}, 'Calibration'), new CalibrationWizard(ctx).element),
      h(
        'div',
        { class: 'panel disclaimer', role: 'note' },
        h('h3', {}, 'Please note'),
        h('p', {}, correctivePlan('neutral').disclaimer),
        h('p', {}, 'If your back hurts during or after squats, have it looked at by a physical therapist before you push on.'),
      ),
    );
    fill(
      this.posture,
      this.postureContent,
      h('div', { class: 'button-row', role: 'group', 'aria-label': 'Show the plan for a posture' }, h('span', {}, 'Show the plan for:'), ...this.postureButtons),
    );
    // A summary follows every rep: redraw only when what this view shows changed (a running breath guide survives).
    ctx.live.listen((change) => {
      if (change.kind === 'frame' && change.athlete === ctx.selection.id && change.frame.cutoff_cm !== this.shownCutoff) return this.render();
      if (change.kind !== 'summary' || change.athlete !== ctx.selection.id) return;
      const summary = ctx.live.get(change.athlete)?.summary;
      const key = `${summary?.pelvic_tilt}|${summary?.suggested_cutoff_cm}|${JSON.stringify(summary?.suggestion_basis ?? null)}|${summary?.sacral_inclination_deg?.toFixed(0)}`;
      if (key === this.shownSummary) return;
      this.shownSummary = key;
      this.render();
    });
    ctx.selection.listen(() => void this.refresh());
  }

  async refresh(): Promise<void> {
    const id = this.ctx.selection.id;
    this.stored = null;
    if (id !== null) {
      try {
        this.stored = await this.ctx.api.plan(id);
      } catch (err) {
        this.ctx.notify(`Could not load the stored plan: ${(err as Error).message}`, 'error');
      }
    }
    this.render();
  }

  /**
   * Redraws the panels, keeping the keyboard focus on the control that had it: a redraw replaces the panels'
   * buttons (after each rep, or when one of them is pressed), which would otherwise drop the focus to the page.
   */
  private render(): void {
    const focused = document.activeElement;
    const panel = [this.posture, this.depth, this.painDay, this.plan].find((p) => focused !== null && p.contains(focused));
    const place = panel ? [...panel.querySelectorAll(CONTROLS)].indexOf(focused!) : -1;
    // A keyboard user keeps the visible focus ring on the new control (a programmatic focus may not show it).
    const ringShown = focused instanceof HTMLElement && focused.matches(':focus-visible');
    this.draw();
    if (panel && place >= 0) panel.querySelectorAll<HTMLElement>(CONTROLS)[place]?.focus({ focusVisible: ringShown } as FocusOptions);
  }

  private draw(): void {
    const entry = this.ctx.selection.id === null ? undefined : this.ctx.live.get(this.ctx.selection.id);
    const live = entry?.summary ?? null;
    // The running session knows more recent facts than the stored sessions (which are complete only when ended).
    const measured = live?.pelvic_tilt ?? this.stored?.pelvic_tilt ?? null;
    const shown = this.browsing ?? measured;
    this.renderPosture(measured, live?.sacral_inclination_deg ?? null, live?.standing_lordosis_deg ?? null);
    const suggested = live?.suggested_cutoff_cm ?? this.stored?.stopping_depth?.suggested_cutoff_cm ?? null;
    // The advice says what the suggestion rests on: from the running session, else as the stored plan gives it.
    const advice = live !== null ? stoppingDepthAdvice(live.suggested_cutoff_cm, live.suggestion_basis) : (this.stored?.stopping_depth?.advice ?? null);
    const current = entry?.latest?.cutoff_cm ?? entry?.athlete.cutoffCm ?? this.stored?.current_cutoff_cm ?? null;
    this.shownCutoff = entry?.latest ? entry.latest.cutoff_cm : undefined;
    this.renderDepth(suggested, current, advice);
    this.renderPainDay();
    this.renderPlan(shown === null ? null : correctivePlan(shown), measured);
  }

  private renderPosture(tilt: PelvicTilt | null, sacralDeg: number | null, lordosisDeg: number | null): void {
    const plan = tilt === null ? null : correctivePlan(tilt);
    this.measuredTilt = tilt;
    fill(
      this.postureContent,
      h('h3', {}, 'Standing posture'),
      tilt === null
        ? h('p', {}, this.stored?.message ?? 'Not measured yet: stand still for a few seconds before a set.')
        : h('p', { class: `posture-result tilt-${tilt}`, 'data-testid': 'posture-result' }, TILT_LABEL[tilt]),
      sacralDeg !== null || lordosisDeg !== null
        ? h('p', { class: 'muted' }, `Sacral inclination ${deg(sacralDeg, 1)}, standing lordosis ${deg(lordosisDeg, 1)}.`)
        : null,
      plan ? h('p', {}, plan.summary) : null,
      h('p', { class: 'muted' }, correctivePlan('neutral').selfCheck),
    );
    const pressed = this.browsing ?? tilt;
    this.postureButtons.forEach((button, k) => button.setAttribute('aria-pressed', String(TILTS[k] === pressed)));
  }

  private renderDepth(suggested: number | null, current: number | null, advice: string | null): void {
    const apply = async () => {
      const id = this.ctx.selection.id;
      if (id === null || suggested === null) return;
      try {
        await this.ctx.api.setCutoff(id, suggested);
        this.ctx.live.updateAthlete(id, { cutoffCm: suggested });
        this.ctx.notify(`Live cutoff set to ${cm(suggested)}.`);
        this.render();
      } catch (err) {
        this.ctx.notify(`Could not set the cutoff: ${(err as Error).message}`, 'error');
      }
    };
    fill(
      this.depth,
      h('h3', {}, 'Stopping depth'),
      // No number yet: words, not a dash — a dash at this size read as a stray white bar.
      suggested === null
        ? h('p', { class: 'no-value', 'data-testid': 'suggested-cutoff' }, 'No suggestion yet')
        : h('div', { class: 'big-number', 'data-testid': 'suggested-cutoff' }, cm(suggested)),
      h('p', { 'data-testid': 'stopping-depth-advice' }, advice ?? 'No session yet: squat a set so squatmon can see where your back starts to round.'),
      h('p', { class: 'muted', 'data-testid': 'current-cutoff' }, `Current live cutoff: ${current === null ? 'none (no depth cue)' : cm(current)}`),
      suggested !== null
        ? h('button', { type: 'button', 'data-testid': 'apply-suggested', disabled: suggested === current, onclick: () => void apply() }, suggested === current ? 'Applied as live cutoff' : `Use ${cm(suggested)} as the live cutoff`)
        : null,
    );
  }

  private renderPainDay(): void {
    const on = localStorage.getItem(PAIN_DAY_KEY) === new Date().toDateString();
    document.body.classList.toggle('pain-day', on);
    const toggle = () => {
      if (on) localStorage.removeItem(PAIN_DAY_KEY);
      else localStorage.setItem(PAIN_DAY_KEY, new Date().toDateString());
      this.render();
    };
    const advice = correctivePlan('neutral').painDay;
    fill(
      this.painDay,
      h('h3', {}, 'Back hurts today?'),
      h('button', { type: 'button', class: on ? 'warn' : 'secondary', 'aria-pressed': String(on), 'data-testid': 'pain-day', onclick: toggle }, on ? 'Back-pain day: on' : 'My back hurts today'),
      on
        ? h('ol', { class: 'pain-day-steps' }, ...advice.map((a) => h('li', {}, a)))
        : h('p', { class: 'muted' }, 'Turn this on for a lighter day: air squats, corrective work, a substitute exercise, and a plan to build back up.'),
    );
  }

  private renderPlan(plan: CorrectivePlan | null, measured: PelvicTilt | null): void {
    if (plan === null) {
      fill(this.plan, h('h3', {}, 'Corrective plan'), h('p', { class: 'muted' }, 'Your plan appears once your standing posture is measured.'));
      return;
    }
    const browsingOther = plan.tilt !== measured;
    const warmUp = plan.warmUp.steps;
    const coolDown = plan.coolDown.steps;
    const perStep = (minutes: number, steps: number) => (steps === 0 ? '' : ` — about ${Math.max(0.5, Math.round((minutes / steps) * 2) / 2)} min each`);
    fill(
      this.plan,
      h('h3', {}, `Corrective plan: ${TILT_LABEL[plan.tilt]}`),
      browsingOther ? h('p', { class: 'note' }, 'This is the plan for another posture than yours, shown for reference.') : null,
      h('p', {}, `At least ${plan.sessionsPerWeek} times a week: imbalances build up from long hours in one position, so the work has to be regular.`),
      h('p', { class: 'bracing', role: 'note' }, h('strong', {}, 'Bracing: '), plan.bracing),
      h('h4', {}, `Warm-up: activation, about ${plan.warmUp.minutes} minutes${perStep(plan.warmUp.minutes, warmUp.length)}`),
      warmUp.length === 0
        ? h('p', { class: 'muted' }, 'No specific activation needed: warm up with a few light sets of squats.')
        : h('ol', { class: 'exercise-list' }, ...warmUp.map((s) => h('li', {}, h('strong', {}, s.exercise.name), ` (${s.muscleName}) — ${s.exercise.how}`))),
      h('h4', {}, `Cool-down: stretches, about ${plan.coolDown.minutes} minutes, ${plan.coolDown.breathsPerStretch} deep breaths each`),
      coolDown.length === 0
        ? h('p', { class: 'muted' }, 'No specific stretches needed for your posture.')
        : h(
            'ol',
            { class: 'exercise-list' },
            ...coolDown.map((s) =>
              h('li', {}, h('strong', {}, s.exercise.name), ` (${s.muscleName}) — ${s.exercise.how}`, new BreathGuide(s.exercise.name, plan.coolDown.breathsPerStretch).element),
            ),
          ),
    );
  }
}
