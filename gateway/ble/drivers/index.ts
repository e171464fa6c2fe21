/**
 * The registry of sensor drivers (driver.ts). Order matters for driverForAdvertisement: squatmon's own sensors
 * are recognised first.
 */
import type { Advertisement, SensorDriver } from './driver.ts';
import { movellaDotDriver } from './movella-dot.ts';
import { squatmonDriver } from './squatmon.ts';
import { thingy52Driver } from './thingy52.ts';
import { witmotionDriver } from './witmotion.ts';

export type * from './driver.ts';

export const DRIVERS = [squatmonDriver, witmotionDriver, thingy52Driver, movellaDotDriver] as const;

/** The drivers' names: the only list of them. Configs, the store and the historian check names against it. */
export type DriverName = (typeof DRIVERS)[number]['name'];
export const DRIVER_NAMES = DRIVERS.map((d) => d.name) as [DriverName, ...DriverName[]];

export function isDriverName(name: string): name is DriverName {
  return (DRIVER_NAMES as readonly string[]).includes(name);
}

export function driverByName(name: string): SensorDriver {
  const driver = DRIVERS.find((d) => d.name === name);
  // Names are checked against DRIVER_NAMES wherever they come in (config, store, historian): a bad cast only.
  if (driver === undefined) throw new Error(`no sensor driver named ${JSON.stringify(name)}`);
  return driver;
}

/** The first driver that recognises the advertisement, or null for a peripheral no driver supports. */
export function driverForAdvertisement(adv: Advertisement): SensorDriver | null {
  return DRIVERS.find((d) => d.matches(adv)) ?? null;
}
