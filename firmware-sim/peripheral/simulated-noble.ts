/**
 * A real noble instance driven by a VirtualBleBinding. Only `@abandonware/noble/with-bindings.js` is loaded:
 * the package's main entry picks the platform's HCI binding, which throws EAFNOSUPPORT on machines without a
 * Bluetooth stack. with-bindings.js (noble 1.9.2-26) exports `function (bindings) { return new Noble(bindings) }`.
 */
import { createRequire } from 'node:module';
import type * as NobleApi from '@abandonware/noble';
import type { VirtualBleBinding } from './virtual-ble-binding.ts';

/** The noble API (the type of the package's default instance). */
export type Noble = typeof NobleApi;

const require = createRequire(import.meta.url);

export function createSimulatedNoble(binding: VirtualBleBinding): Noble {
  // with-bindings.js ships no type declarations; its one export is typed here.
  const withBindings = require('@abandonware/noble/with-bindings.js') as (bindings: VirtualBleBinding) => Noble;
  return withBindings(binding);
}
