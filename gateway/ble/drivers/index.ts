/**
 * The registry of sensor drivers (driver.ts). Order matters for driverForAdvertisement: squatmon's own sensors
 * are recognised first.
 */
import type { DriverName } from '../../service/domain.ts';
import type { Advertisement, SensorDriver } from './driver.ts';
import { movellaDotDriver } from './movella-dot.ts';
import { squatmonDriver } from './squatmon.ts';
import { thingy52Driver } from './thingy52.ts';
import { witmotionDriver } from './witmotion.ts';

export type * from './driver.ts';

export const DRIVERS: readonly SensorDriver[] = [squatmonDriver, witmotionDriver, thingy52Driver, movellaDotDriver];

export function driverByName(name: DriverName): SensorDriver {
  const driver = DRIVERS.find((d) => d.name === name);
  // DriverName is a closed union and DRIVERS covers it (tests check), so this only fires on a bad cast.
  if (driver === undefined) throw new Error(`no sensor driver named ${JSON.stringify(name)}`);
  return driver;
}

/** The first driver that recognises the advertisement, or null for a peripheral no driver supports. */
export function driverForAdvertisement(adv: Advertisement): SensorDriver | null {
  return DRIVERS.find((d) => d.matches(adv)) ?? null;
}
