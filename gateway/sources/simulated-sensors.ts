/**
 * Source `sim`: simulated athletes squatting forever on a virtual BLE radio (firmware-sim/), which the gateway
 * reaches through real noble exactly as it reaches real sensors. This is the one place the live gateway touches
 * the simulator.
 */
import { profileByName } from '../../firmware-sim/model/index.ts';
import { addLiveAthlete } from '../../firmware-sim/live-athletes.ts';
import { VirtualBleBinding } from '../../firmware-sim/peripheral/index.ts';
import type { GatewayConfig } from '../config/config.ts';
import type { Athlete } from '../core/domain.ts';
import type { NobleBindings } from '../ble/noble-with-bindings.ts';

export interface SimulatedSensors {
  /** The virtual radio: hand it to nobleWithBindings. */
  readonly bindings: NobleBindings;
  /** One athlete per simulated lifter, with the sensors the radio advertises for them. */
  readonly athletes: Athlete[];
  /** Stops the simulated sensors. */
  stop(): void;
}

/** `clock`: the gateway's clock, s; the simulated sensors run on it (faster than the wall with sim.speed > 1). */
export function simulatedSensors(sim: GatewayConfig['sim'], clock: () => number): SimulatedSensors {
  const binding = new VirtualBleBinding({ time: 'realtime', clock });
  const athletes: Athlete[] = [];
  for (let k = 0; k < sim.athletes; k++) {
    const profileName = sim.profiles[k % sim.profiles.length];
    const id = sim.idPrefix === null ? `sim-${k + 1}` : `${sim.idPrefix}-sim-${k + 1}`;
    const sensors = addLiveAthlete(
      binding,
      {
        athleteId: id,
        profile: profileByName(profileName),
        seed: sim.seed + k,
        sensors: sim.sensors,
        rateHz: sim.rateHz,
        lossRate: sim.lossPct / 100,
        duplicateRate: sim.duplicatePct / 100,
        restS: sim.restS,
        outages: sim.outages,
      },
      k,
    );
    athletes.push({
      id,
      name: `Simulated ${k + 1} (${profileName})`,
      // The gateway asks the simulated sensors for the configured rate, as it would real ones.
      sensors: sensors.map((s) => ({ id: s.id, placement: s.placement, driver: 'squatmon', match: s.localName, face: null, rateHz: sim.rateHz })),
      // A cue out of the box: 8 cm above the profile's depth, so every full rep reaches it.
      cutoffCm: Math.max(10, Math.round(profileByName(profileName).depthCm - 8)),
      winkThresholdDeg: 10,
    });
  }
  return { bindings: binding, athletes, stop: () => binding.stop() };
}
