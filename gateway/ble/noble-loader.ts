/**
 * Getting a noble instance, and saying precisely why Bluetooth is not usable when it is not.
 *
 * `@abandonware/noble`'s main entry opens an HCI socket while it is being imported, so on a machine without a
 * Bluetooth stack the import itself throws (EAFNOSUPPORT). It is therefore imported lazily, only when real BLE
 * is wanted, and every known failure (at import, at adapter initialisation, or an adapter state other than
 * poweredOn) becomes a BluetoothUnavailableError whose message names what is missing and how to fix it. The
 * gateway logs it and keeps serving the dashboard.
 *
 * The simulator path never touches the platform binding: `nobleWithBindings` wraps a VirtualBleBinding through
 * `@abandonware/noble/with-bindings.js`, so the very same noble code runs on top of simulated sensors.
 */
import type { Noble } from './noble-with-bindings.ts';

export type { Noble } from './noble-with-bindings.ts';
export { nobleWithBindings } from './noble-with-bindings.ts';

export type BluetoothUnavailableReason =
  /** The kernel has no Bluetooth socket family (container, WSL, a VM without a passed-through adapter). */
  | 'no-kernel-bluetooth'
  /** The process may not open raw HCI sockets. */
  | 'permission'
  /** No HCI device exists. */
  | 'no-adapter'
  /** The adapter is down, soft/hard blocked, or held by BlueZ. */
  | 'powered-off'
  /** The adapter predates Bluetooth 4.0 (no Low Energy). */
  | 'unsupported-adapter'
  /** The native HCI socket module is missing or built for another Node version. */
  | 'native-module'
  /** The adapter never reported a state within the wait. */
  | 'not-ready'
  | 'unknown';

export class BluetoothUnavailableError extends Error {
  override readonly name = 'BluetoothUnavailableError';

  constructor(
    readonly reason: BluetoothUnavailableReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const SETCAP = 'sudo setcap cap_net_raw+eip $(eval readlink -f $(which node))';
const SIM_HINT = 'To try squatmon without hardware, start the gateway with --sim.';

const MESSAGES: Readonly<Record<Exclude<BluetoothUnavailableReason, 'unknown' | 'not-ready'>, string>> = {
  'no-kernel-bluetooth':
    'Bluetooth is not available: this kernel has no Bluetooth socket support (EAFNOSUPPORT). This is typical ' +
    'inside containers, WSL and virtual machines. Run the gateway on a Linux host with BlueZ and a Bluetooth LE ' +
    'adapter (for Docker: --net=host with the host kernel\'s Bluetooth and the NET_ADMIN/NET_RAW capabilities). ' +
    SIM_HINT,
  permission:
    'Bluetooth permission denied: node may not open raw HCI sockets. Grant the capability once with ' +
    `\`${SETCAP}\` (repeat after a Node upgrade) or run the gateway as root.`,
  'no-adapter':
    'No Bluetooth adapter found (no HCI device). Plug in a Bluetooth LE adapter and check that it is listed by ' +
    '`bluetoothctl list` or `hciconfig -a`; with several adapters choose one with NOBLE_HCI_DEVICE_ID=<n>.',
  'powered-off':
    'The Bluetooth adapter is powered off or blocked. Unblock and power it: `rfkill unblock bluetooth`, then ' +
    '`sudo hciconfig hci0 up`. If BlueZ holds the adapter (the HCI socket binding needs it to itself), ' +
    '`sudo systemctl stop bluetooth`.',
  'unsupported-adapter':
    'The Bluetooth adapter does not support Bluetooth Low Energy (it needs Bluetooth 4.0 or later). Use a BLE ' +
    'adapter; with several adapters choose one with NOBLE_HCI_DEVICE_ID=<n>.',
  'native-module':
    'The native Bluetooth module (@abandonware/bluetooth-hci-socket) could not be loaded: it is missing or was ' +
    'built for another Node version. Rebuild it with `npm rebuild @abandonware/bluetooth-hci-socket` (needs ' +
    'python3, make and a C++ compiler, and libudev-dev on Linux).',
};

function unavailable(reason: Exclude<BluetoothUnavailableReason, 'unknown' | 'not-ready'>, cause?: unknown): BluetoothUnavailableError {
  return new BluetoothUnavailableError(reason, MESSAGES[reason], cause === undefined ? undefined : { cause });
}

function errorCode(err: unknown): string | undefined {
  if (err !== null && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Maps an exception from importing or initialising noble (or the text of noble's "Initialization … failed"
 * warning) to the cause a user can act on. The HCI socket module reports errno names in `code` and/or the
 * message (`EAFNOSUPPORT, Address family not supported by protocol`), the kernel's strerror text otherwise.
 */
export function bluetoothErrorFrom(err: unknown): BluetoothUnavailableError {
  if (err instanceof BluetoothUnavailableError) return err;
  const code = errorCode(err);
  const text = `${code ?? ''} ${errorMessage(err)}`;
  if (/EAFNOSUPPORT|Address family not supported/i.test(text)) return unavailable('no-kernel-bluetooth', err);
  if (/EPERM|EACCES|Operation not permitted|Permission denied/i.test(text)) return unavailable('permission', err);
  if (/ENODEV|No such device/i.test(text)) return unavailable('no-adapter', err);
  if (/ERFKILL|EBUSY|Device or resource busy|Network is down|ENETDOWN/i.test(text)) return unavailable('powered-off', err);
  if (code === 'ERR_DLOPEN_FAILED' || /bluetooth_hci_socket\.node|NODE_MODULE_VERSION|bluetooth-hci-socket/i.test(text)) {
    return unavailable('native-module', err);
  }
  return new BluetoothUnavailableError('unknown', `Bluetooth could not be started: ${errorMessage(err)}. ${SIM_HINT}`, { cause: err });
}

/** The error for an adapter state that is not (yet) poweredOn; null for poweredOn. */
export function bluetoothErrorForState(state: string, waitedMs?: number): BluetoothUnavailableError | null {
  switch (state) {
    case 'poweredOn':
      return null;
    case 'unauthorized':
      return unavailable('permission');
    case 'unsupported':
      return unavailable('unsupported-adapter');
    case 'poweredOff':
      return unavailable('powered-off');
    default: {
      const waited = waitedMs === undefined ? '' : ` within ${Math.round(waitedMs / 1000)} s`;
      return new BluetoothUnavailableError(
        'not-ready',
        `The Bluetooth adapter did not become ready${waited} (state '${state}'). Check that an adapter is plugged in ` +
          "(`bluetoothctl list`), not blocked (`rfkill unblock bluetooth`), and that BlueZ does not hold it " +
          '(`sudo systemctl stop bluetooth`).',
      );
    }
  }
}

/** How noble's own module is imported; replaceable so that tests can inject failures. */
export type NobleImporter = () => Promise<unknown>;

const importPlatformNoble: NobleImporter = () => import('@abandonware/noble');

/**
 * The platform noble (HCI socket on Linux), imported now. Throws BluetoothUnavailableError when the import
 * fails. The adapter's state comes later (ConnectionManager waits for poweredOn).
 */
export async function loadNoble(importer: NobleImporter = importPlatformNoble): Promise<Noble> {
  let mod: unknown;
  try {
    mod = await importer();
  } catch (err) {
    throw bluetoothErrorFrom(err);
  }
  // A CommonJS module imported from ESM: module.exports (the Noble instance) is the default export.
  const instance = mod !== null && typeof mod === 'object' && 'default' in mod ? mod.default : mod;
  return instance as Noble;
}
