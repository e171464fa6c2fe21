/** The gateway's REST API (gateway/http/rest-api.ts) as the dashboard calls it. */
import { withToken } from './access-token.ts';
import type {
  Athlete,
  CalibrationKind,
  PlanResponse,
  SessionDetail,
  SessionOverview,
  SetTraceResponse,
  StoredRep,
  TrendPoint,
} from './wire.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface HistoryFilter {
  readonly athlete?: string;
  readonly from?: number | null;
  readonly to?: number | null;
  readonly buttWinkOnly?: boolean;
}

export class Api {
  constructor(private readonly token: () => string | null) {}

  athletes(): Promise<{ athletes: Athlete[] }> {
    return this.get('/api/athletes');
  }

  sessions(filter: HistoryFilter, limit = 50): Promise<{ sessions: SessionOverview[] }> {
    return this.get(`/api/sessions?${query({ athlete: filter.athlete, from: filter.from, to: filter.to, limit })}`);
  }

  session(id: string): Promise<SessionDetail> {
    return this.get(`/api/sessions/${encodeURIComponent(id)}`);
  }

  reps(filter: HistoryFilter & { session?: string; set?: number }, limit = 1000): Promise<{ reps: StoredRep[] }> {
    return this.get(`/api/reps?${query({ ...repQuery(filter), session: filter.session, set: filter.set, limit })}`);
  }

  trends(athlete: string): Promise<{ trends: TrendPoint[] }> {
    return this.get(`/api/athletes/${encodeURIComponent(athlete)}/trends`);
  }

  plan(athlete: string): Promise<PlanResponse> {
    return this.get(`/api/athletes/${encodeURIComponent(athlete)}/plan`);
  }

  /** A link the browser downloads by itself (so it carries the token in the query). */
  exportUrl(format: 'csv' | 'json', filter: HistoryFilter): string {
    return withToken(`/api/export/reps.${format}?${query(repQuery(filter))}`.replace(/\?$/, ''), this.token());
  }

  recordingUrl(session: string, set: number): string {
    return withToken(`/api/sessions/${encodeURIComponent(session)}/sets/${set}/recording`, this.token());
  }

  /** The set's curve, computed by the gateway from the set's recording; 404 when it has none. */
  setTrace(session: string, set: number, rep?: number): Promise<SetTraceResponse> {
    return this.get(`/api/sessions/${encodeURIComponent(session)}/sets/${set}/trace${rep === undefined ? '' : `?rep=${rep}`}`);
  }

  setCutoff(athlete: string, cutoffCm: number | null): Promise<unknown> {
    return this.send('PUT', `/api/athletes/${encodeURIComponent(athlete)}/cutoff`, { cutoff_cm: cutoffCm });
  }

  startSet(athlete: string): Promise<unknown> {
    return this.send('POST', `/api/athletes/${encodeURIComponent(athlete)}/set/start`, {});
  }

  stopSet(athlete: string): Promise<unknown> {
    return this.send('POST', `/api/athletes/${encodeURIComponent(athlete)}/set/stop`, {});
  }

  calibrate(athlete: string, kind: CalibrationKind): Promise<{ status: string; data?: { kind: string; values: Record<string, number> } }> {
    return this.send('POST', `/api/athletes/${encodeURIComponent(athlete)}/calibrate`, { kind });
  }

  private async get<T>(path: string): Promise<T> {
    return this.request<T>(path, { method: 'GET' });
  }

  private async send<T>(method: 'POST' | 'PUT', path: string, body: unknown): Promise<T> {
    return this.request<T>(path, { method, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  }

  private async request<T>(path: string, init: RequestInit): Promise<T> {
    const token = this.token();
    const headers = new Headers(init.headers);
    if (token !== null) headers.set('Authorization', `Bearer ${token}`);
    let response: Response;
    try {
      response = await fetch(path, { ...init, headers, cache: 'no-store' });
    } catch {
      throw new ApiError(0, 'the gateway cannot be reached');
    }
    const body: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const message = body !== null && typeof body === 'object' && 'error' in body ? String(body.error) : response.statusText;
      throw new ApiError(response.status, message);
    }
    return body as T;
  }
}

function repQuery(filter: HistoryFilter): Record<string, string | number | null | undefined> {
  return { athlete: filter.athlete, from: filter.from, to: filter.to, butt_wink: filter.buttWinkOnly ? 'true' : undefined };
}

function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== null && value !== undefined && value !== '') search.set(key, String(value));
  return search.toString();
}
