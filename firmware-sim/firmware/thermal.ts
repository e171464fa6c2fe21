/**
 * Temperature of the sensor's board: clipped onto the skin at true time 0, it warms from room temperature
 * towards skin temperature with a first-order lag (the housing and strap insulate it).
 */
export interface ThermalConfig {
  readonly initialC: number;
  readonly skinC: number;
  readonly timeConstantS: number;
}

export const DEFAULT_THERMAL: ThermalConfig = { initialC: 24, skinC: 32, timeConstantS: 600 };

export function boardTemperatureC(config: ThermalConfig, tTrue: number): number {
  return config.skinC + (config.initialC - config.skinC) * Math.exp(-Math.max(0, tTrue) / config.timeConstantS);
}
