/**
 * The cue when the lifter reaches the stopping depth: a full-screen colour flash (~400 ms) nobody can miss from
 * the rack, a short two-tone beep (Web Audio, mutable, off until the page has been touched once, as browsers
 * require), and the same words in an assertive live region for screen readers.
 */
import { h } from './dom.ts';

const FLASH_MS = 400;
const MUTE_KEY = 'squatmon.muted';

export class CueAlert {
  readonly overlay: HTMLElement;
  readonly announcer: HTMLElement;
  readonly muteButton: HTMLButtonElement;
  private audio: AudioContext | null = null;
  private muted: boolean;
  private flashTimer: number | null = null;

  constructor() {
    this.muted = localStorage.getItem(MUTE_KEY) === '1';
    this.overlay = h('div', { class: 'cue-overlay', 'aria-hidden': 'true', 'data-testid': 'cue-overlay' }, h('span', { class: 'cue-overlay-text' }, 'STOP'));
    this.announcer = h('div', { class: 'sr-only', role: 'alert', 'aria-live': 'assertive', 'data-testid': 'cue-announcer' });
    this.muteButton = h('button', { type: 'button', class: 'mute-toggle', onclick: () => this.toggleMute() });
    this.renderMute();
    // Browsers only let a page make sound after a user gesture: prepare the audio on the first one.
    const unlock = () => {
      this.ensureAudio();
      window.removeEventListener('pointerdown', unlock);
      window.removeEventListener('keydown', unlock);
    };
    window.addEventListener('pointerdown', unlock);
    window.addEventListener('keydown', unlock);
  }

  /** Flashes, beeps and announces; `message` is what a screen reader says. */
  fire(message: string): void {
    this.overlay.classList.remove('flash');
    // Reflow so a cue right after another restarts the flash instead of extending it.
    void this.overlay.offsetWidth;
    this.overlay.classList.add('flash');
    this.overlay.dataset.count = String(Number(this.overlay.dataset.count ?? '0') + 1);
    if (this.flashTimer !== null) window.clearTimeout(this.flashTimer);
    this.flashTimer = window.setTimeout(() => this.overlay.classList.remove('flash'), FLASH_MS);
    this.announcer.textContent = message;
    this.beep();
  }

  private toggleMute(): void {
    this.muted = !this.muted;
    localStorage.setItem(MUTE_KEY, this.muted ? '1' : '0');
    this.renderMute();
  }

  private renderMute(): void {
    this.muteButton.textContent = this.muted ? 'Sound: off' : 'Sound: on';
    this.muteButton.setAttribute('aria-pressed', String(this.muted));
    this.muteButton.setAttribute('aria-label', this.muted ? 'Cue sound is off; turn it on' : 'Cue sound is on; turn it off');
  }

  private ensureAudio(): AudioContext | null {
    if (this.audio === null && typeof AudioContext !== 'undefined') this.audio = new AudioContext();
    if (this.audio?.state === 'suspended') void this.audio.resume();
    return this.audio;
  }

  private beep(): void {
    if (this.muted || this.audio === null) return;
    const ctx = this.audio;
    const start = ctx.currentTime;
    // Two short rising tones: distinct from gym music and from phone notification sounds.
    for (const [offset, frequency] of [[0, 880], [0.16, 1320]] as const) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'square';
      osc.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.35, start + offset + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.14);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start + offset);
      osc.stop(start + offset + 0.15);
    }
  }
}
