/**
 * A real noble instance over any binding object — the simulator's VirtualBleBinding, or a test's. Only
 * `@abandonware/noble/with-bindings.js` is loaded: the package's main entry picks the platform's HCI binding,
 * which throws EAFNOSUPPORT on machines without a Bluetooth stack. with-bindings.js (noble 1.9.2-26) exports
 * `function (bindings) { return new Noble(bindings) }`.
 */
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type * as NobleApi from '@abandonware/noble';

/** The noble API (the type of the package's default instance). */
export type Noble = typeof NobleApi;

/**
 * What noble asks of a binding: an EventEmitter with noble's binding methods (init, startScanning, connect,
 * discoverServices, read, write, notify…) that reports through noble's binding events. noble calls the methods
 * by name; their shapes are noble's, not ours, so only the emitter is typed here.
 */
export type NobleBindings = EventEmitter;

const require = createRequire(import.meta.url);

export function nobleWithBindings(bindings: NobleBindings): Noble {
  // with-bindings.js ships no type declarations; its one export is typed here.
  const withBindings = require('@abandonware/noble/with-bindings.js') as (bindings: NobleBindings) => Noble;
  return withBindings(bindings);
}
