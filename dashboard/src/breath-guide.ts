/**
 * A 10-breath guide for one stretch: paces slow breaths (in 3 s, out 3 s) and says which breath it is, so the
 * lifter can hold the stretch with eyes closed and go a little further on every exhale.
 */
import { h } from './dom.ts';

const IN_MS = 3000;
const OUT_MS = 3000;

export class BreathGuide {
  readonly element: HTMLElement;
  private readonly button: HTMLButtonElement;
  private readonly text = h('span', { class: 'breath-text', 'aria-live': 'polite' });
  private timer: number | null = null;

  constructor(
    private readonly stretchName: string,
    private readonly breaths: number,
  ) {
    this.button = h('button', { type: 'button', class: 'small', onclick: () => this.toggle() }, `Guide ${breaths} breaths`);
    this.element = h('div', { class: 'breath-guide' }, this.button, this.text);
  }

  private toggle(): void {
    if (this.timer !== null) return this.stop('Stopped.');
    this.button.textContent = 'Stop guide';
    this.step(1, true);
  }

  private step(breath: number, inhale: boolean): void {
    if (breath > this.breaths) return this.stop(`Done: ${this.breaths} breaths in the ${this.stretchName}.`);
    this.text.textContent = inhale ? `Breath ${breath} of ${this.breaths}: breathe in` : `Breath ${breath} of ${this.breaths}: breathe out, go a little further`;
    this.element.classList.toggle('exhale', !inhale);
    this.timer = window.setTimeout(() => this.step(inhale ? breath : breath + 1, !inhale), inhale ? IN_MS : OUT_MS);
  }

  private stop(message: string): void {
    if (this.timer !== null) window.clearTimeout(this.timer);
    this.timer = null;
    this.element.classList.remove('exhale');
    this.button.textContent = `Guide ${this.breaths} breaths`;
    this.text.textContent = message;
  }
}
