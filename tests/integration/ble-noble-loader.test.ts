/**
 * loadNoble and the Bluetooth error explanations: the real platform import (which fails on this machine, whose
 * kernel has no Bluetooth), injected import failures, adapter states and noble's initialisation warnings.
 */
import { describe, expect, it } from 'vitest';
import {
  BluetoothUnavailableError,
  bluetoothErrorForState,
  bluetoothErrorFrom,
  loadNoble,
} from '../../gateway/ble/noble-loader.ts';

function errnoError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

async function failure(promise: Promise<unknown>): Promise<BluetoothUnavailableError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BluetoothUnavailableError);
  return err as BluetoothUnavailableError;
}

describe('loadNoble', () => {
  it('explains a machine without a Bluetooth stack (the real import here throws EAFNOSUPPORT)', async (ctx) => {
    const outcome = await loadNoble().then(
      () => null,
      (e: unknown) => e,
    );
    if (outcome === null) ctx.skip(); // this machine has Bluetooth: nothing to explain
    expect(outcome).toBeInstanceOf(BluetoothUnavailableError);
    const err = outcome as BluetoothUnavailableError;
    expect(err.reason).toBe('no-kernel-bluetooth');
    expect(err.message).toContain('EAFNOSUPPORT'); // what failed
    expect(err.message).toMatch(/no Bluetooth socket support/); // what is missing
    expect(err.message).toMatch(/BlueZ and a Bluetooth LE adapter/); // how to fix it
    expect(err.message).toContain('--sim'); // and what works meanwhile
    expect((err.cause as { code?: string }).code).toBe('EAFNOSUPPORT');
  });

  it('maps each import failure to its cause and fix', async () => {
    const eperm = await failure(loadNoble(() => Promise.reject(errnoError('EPERM', 'EPERM, Operation not permitted'))));
    expect(eperm.reason).toBe('permission');
    expect(eperm.message).toContain('sudo setcap cap_net_raw+eip $(eval readlink -f $(which node))');
    expect(eperm.message).toMatch(/as root/);

    const eacces = await failure(loadNoble(() => Promise.reject(new Error('Permission denied'))));
    expect(eacces.reason).toBe('permission');

    const nodev = await failure(loadNoble(() => Promise.reject(errnoError('ENODEV', 'No such device'))));
    expect(nodev.reason).toBe('no-adapter');
    expect(nodev.message).toMatch(/Plug in a Bluetooth LE adapter/);

    const busy = await failure(loadNoble(() => Promise.reject(errnoError('ERFKILL', 'Operation not possible due to RF-kill'))));
    expect(busy.reason).toBe('powered-off');
    expect(busy.message).toContain('rfkill unblock bluetooth');

    const dlopen = await failure(
      loadNoble(() =>
        Promise.reject(errnoError('ERR_DLOPEN_FAILED', 'bluetooth_hci_socket.node was compiled against a different Node.js version')),
      ),
    );
    expect(dlopen.reason).toBe('native-module');
    expect(dlopen.message).toContain('npm rebuild @abandonware/bluetooth-hci-socket');

    const other = await failure(loadNoble(() => Promise.reject(new Error('something odd'))));
    expect(other.reason).toBe('unknown');
    expect(other.message).toContain('something odd');
  });

  it('returns the module instance of a successful import', async () => {
    const instance = { fake: 'noble' };
    expect(await loadNoble(() => Promise.resolve({ default: instance }))).toBe(instance);
  });
});

describe('Bluetooth error explanations', () => {
  it('explains every adapter state other than poweredOn', () => {
    expect(bluetoothErrorForState('poweredOn')).toBeNull();
    expect(bluetoothErrorForState('unauthorized')!.message).toContain('setcap cap_net_raw+eip');
    expect(bluetoothErrorForState('unsupported')!.message).toMatch(/Low Energy/);
    const off = bluetoothErrorForState('poweredOff')!;
    expect(off.message).toContain('rfkill unblock bluetooth');
    expect(off.message).toContain('sudo systemctl stop bluetooth');
    const unknown = bluetoothErrorForState('unknown', 10_000)!;
    expect(unknown.reason).toBe('not-ready');
    expect(unknown.message).toMatch(/within 10 s \(state 'unknown'\)/);
  });

  it("reads noble's initialisation warning (no HCI device)", () => {
    const err = bluetoothErrorFrom(new Error('Initialization of USB device failed: No such device'));
    expect(err.reason).toBe('no-adapter');
    expect(bluetoothErrorFrom(err)).toBe(err);
  });
});
