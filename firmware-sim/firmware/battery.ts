/**
 * Coulomb-counting battery of the sensor. The reported level is the remaining charge as a share of capacity:
 * a LiPo's voltage curve is not modelled because the firmware's fuel gauge reports charge, not voltage.
 */
export interface BatteryConfig {
  /** Cell capacity, mAh (a coin-sized wearable LiPo: 150 mAh). */
  readonly capacityMah: number;
  /** Level at true time 0, %. */
  readonly initialPct: number;
  /** Current while connected or advertising but not streaming, mA. */
  readonly idleMa: number;
  /** Extra current while streaming (IMU at its output rate + radio notifications), mA. */
  readonly streamingMa: number;
  /** Extra current of the vibration motor while a pulse is on, at 100 % intensity, mA (scales with intensity). */
  readonly hapticFullIntensityMa: number;
  /** Below this level the status flag low_battery is set, %. */
  readonly lowBatteryPct: number;
}

export const DEFAULT_BATTERY: BatteryConfig = {
  capacityMah: 150,
  initialPct: 100,
  idleMa: 0.4,
  streamingMa: 5,
  hapticFullIntensityMa: 70,
  lowBatteryPct: 10,
};

const SECONDS_PER_HOUR = 3600;

export class Battery {
  private chargeMah: number;

  constructor(readonly config: BatteryConfig) {
    this.chargeMah = (config.capacityMah * Math.min(100, Math.max(0, config.initialPct))) / 100;
  }

  /** Remove a charge given in mA·s (an empty cell stays empty). */
  drawCharge(milliampSeconds: number): void {
    this.chargeMah = Math.max(0, this.chargeMah - milliampSeconds / SECONDS_PER_HOUR);
  }

  get remainingMah(): number {
    return this.chargeMah;
  }

  /** Level as the firmware reports it: whole percent, 0..100. */
  get levelPct(): number {
    return Math.round((100 * this.chargeMah) / this.config.capacityMah);
  }

  get low(): boolean {
    return this.levelPct < this.config.lowBatteryPct;
  }
}
