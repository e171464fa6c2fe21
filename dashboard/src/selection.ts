/** Which athlete the live, history and coaching views show; remembered in this browser. */
const KEY = 'squatmon.athlete';

export class AthleteSelection {
  private current: string | null = localStorage.getItem(KEY);
  private readonly listeners = new Set<(id: string | null) => void>();

  get id(): string | null {
    return this.current;
  }

  set(id: string | null): void {
    if (id === this.current) return;
    this.current = id;
    if (id === null) localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, id);
    for (const listener of this.listeners) listener(id);
  }

  /** Picks the first athlete when none is chosen or the chosen one is unknown. */
  ensure(known: readonly string[]): void {
    if (known.length > 0 && (this.current === null || !known.includes(this.current))) this.set(known[0]);
  }

  listen(listener: (id: string | null) => void): void {
    this.listeners.add(listener);
  }
}
