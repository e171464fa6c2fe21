/**
 * The commands a user or another program can give the running gateway — over MQTT requests
 * (`bridge/request/*`) and the dashboard's REST calls alike: calibrate, start/stop a set, set the cutoff or
 * the wink threshold, name the athlete. Each checks its athlete exists and refuses with a CommandError
 * otherwise; nothing changes on a refusal.
 */
import { CommandError } from '../core/commands.ts';
import type { BridgeCommands, CommandRequest } from '../core/commands.ts';
import type { HistoryStore } from '../store/history-store.ts';
import type { AthleteRuntime } from './athlete-runtime.ts';
import type { Logger } from '../core/logger.ts';

export class GatewayControl implements BridgeCommands {
  constructor(
    private readonly runtimes: ReadonlyMap<string, AthleteRuntime>,
    private readonly store: HistoryStore | null,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  private runtime(athlete: string): AthleteRuntime {
    const r = this.runtimes.get(athlete);
    if (!r) throw new CommandError(`unknown athlete '${athlete}' (known: ${[...this.runtimes.keys()].join(', ') || 'none'})`);
    return r;
  }

  /**
   * Standing: stores the standing posture measured so far. The pelvic-tilt range and maximum flexion tests are
   * movements that follow the command: it stores when they started (session time), and the recording gets the
   * event; the maximum flexion test's result comes with the session (`max_lumbar_flexion_deg`).
   */
  async calibrate(request: CommandRequest<'calibrate'>) {
    const runtime = this.runtime(request.athlete);
    const values: Record<string, number> = { session_time_s: runtime.sessionTimeS };
    if (request.kind === 'standing') {
      const summary = runtime.currentSummary();
      if (summary.sacral_inclination_deg !== null) values.sacral_inclination_deg = summary.sacral_inclination_deg;
      if (summary.standing_lordosis_deg !== null) values.standing_lordosis_deg = summary.standing_lordosis_deg;
    }
    if (request.kind === 'max_flexion') runtime.beginMaxFlexionTest();
    else runtime.markEvent(`calibration_${request.kind}`);
    if (this.store) await this.store.addCalibration({ athlete: request.athlete, kind: request.kind, at: this.now(), values });
    this.logger.info('calibration recorded', { athlete: request.athlete, kind: request.kind });
    return { kind: request.kind, values };
  }

  async setStart(request: CommandRequest<'set_start'>) {
    return this.runtime(request.athlete).startSet();
  }

  async setStop(request: CommandRequest<'set_stop'>) {
    const ref = this.runtime(request.athlete).stopSet();
    if (!ref) throw new CommandError(`no set is open for '${request.athlete}'`);
    return ref;
  }

  async setCutoff(request: CommandRequest<'set_cutoff'>) {
    const runtime = this.runtime(request.athlete);
    runtime.setCutoff(request.cutoff_cm);
    if (this.store) await this.store.upsertAthlete(runtime.athlete);
    return { cutoff_cm: request.cutoff_cm };
  }

  async setWinkThreshold(request: CommandRequest<'set_wink_threshold'>) {
    const runtime = this.runtime(request.athlete);
    runtime.setWinkThreshold(request.wink_threshold_deg);
    if (this.store) await this.store.upsertAthlete(runtime.athlete);
    return { wink_threshold_deg: request.wink_threshold_deg };
  }

  async nameAthlete(request: CommandRequest<'name_athlete'>) {
    const runtime = this.runtime(request.athlete);
    runtime.rename(request.name);
    if (this.store) await this.store.upsertAthlete(runtime.athlete);
    return { name: request.name };
  }
}
