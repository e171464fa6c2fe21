/**
 * Every GATT operation the connection manager performs, each bounded by a timeout and abortable.
 *
 * noble never times anything out: a request the peripheral does not answer (a refused write, a read of a
 * characteristic that is not readable, a connection that never completes) simply never calls back. So every
 * step here registers its own listener, starts the operation, and settles on the first of: the answer, the
 * timeout, or the caller's AbortSignal (the manager aborts when the link drops). Whatever settles it, the
 * listener is removed — noble's callback API would leave a `once` listener behind on every timeout, and
 * across hours of reconnects those pile up on the long-lived Peripheral object.
 */
import type { Characteristic, Peripheral, Service } from '@abandonware/noble';

export type GattStepName = 'connect' | 'disconnect' | 'discover services' | 'discover characteristics' | 'read' | 'subscribe' | 'write';

export class GattStepError extends Error {
  override readonly name = 'GattStepError';

  constructor(
    readonly step: GattStepName,
    /** timeout: no answer in time; aborted: the caller gave up (link lost, stopping); failed: noble said no. */
    readonly kind: 'timeout' | 'aborted' | 'failed',
    message: string,
  ) {
    super(message);
  }
}

type Settle<T> = { resolve: (value: T) => void; reject: (err: GattStepError) => void };

/**
 * Runs one step. `begin` attaches listeners and starts the operation; it returns the function that detaches
 * them, called with why the step ended (a connect that timed out must also be cancelled).
 */
function runStep<T>(
  step: GattStepName,
  what: string,
  timeoutMs: number,
  signal: AbortSignal,
  begin: (settle: Settle<T>) => (ending: 'answered' | 'timeout' | 'aborted') => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      reject(new GattStepError(step, 'aborted', `${step} ${what}: aborted`));
      return;
    }
    let done = false;
    let detach: (ending: 'answered' | 'timeout' | 'aborted') => void = () => {};
    const finish = (ending: 'answered' | 'timeout' | 'aborted', outcome: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      detach(ending);
      outcome();
    };
    const onAbort = () => finish('aborted', () => reject(new GattStepError(step, 'aborted', `${step} ${what}: aborted`)));
    const timer = setTimeout(
      () => finish('timeout', () => reject(new GattStepError(step, 'timeout', `${step} ${what}: no answer within ${timeoutMs} ms`))),
      timeoutMs,
    );
    signal.addEventListener('abort', onAbort, { once: true });
    detach = begin({
      resolve: (value) => finish('answered', () => resolve(value)),
      reject: (err) => finish('answered', () => reject(err)),
    });
  });
}

export function connectPeripheral(peripheral: Peripheral, timeoutMs: number, signal: AbortSignal): Promise<void> {
  return runStep('connect', peripheral.id, timeoutMs, signal, ({ resolve, reject }) => {
    const onConnect = (error: unknown) => {
      if (error) reject(new GattStepError('connect', 'failed', `connect ${peripheral.id}: ${String(error)}`));
      else resolve();
    };
    peripheral.on('connect', onConnect);
    peripheral.connect();
    return (ending) => {
      peripheral.removeListener('connect', onConnect);
      // A pending LE connection stays pending in the controller until cancelled.
      if (ending !== 'answered' && peripheral.state === 'connecting') peripheral.cancelConnect();
    };
  });
}

export function discoverServices(peripheral: Peripheral, timeoutMs: number, signal: AbortSignal): Promise<Service[]> {
  return runStep('discover services', peripheral.id, timeoutMs, signal, ({ resolve }) => {
    const onServices = (services: Service[]) => resolve(services);
    peripheral.on('servicesDiscover', onServices);
    peripheral.discoverServices([]);
    return () => peripheral.removeListener('servicesDiscover', onServices);
  });
}

export function discoverCharacteristics(service: Service, timeoutMs: number, signal: AbortSignal): Promise<Characteristic[]> {
  return runStep('discover characteristics', service.uuid, timeoutMs, signal, ({ resolve }) => {
    const onCharacteristics = (characteristics: Characteristic[]) => resolve(characteristics);
    service.on('characteristicsDiscover', onCharacteristics);
    service.discoverCharacteristics([]);
    return () => service.removeListener('characteristicsDiscover', onCharacteristics);
  });
}

export function readCharacteristic(characteristic: Characteristic, timeoutMs: number, signal: AbortSignal): Promise<Buffer> {
  return runStep('read', characteristic.uuid, timeoutMs, signal, ({ resolve }) => {
    // noble reports read values and notifications through the same event; only a read answers a read.
    const onData = (data: Buffer, isNotification: boolean) => {
      if (!isNotification) resolve(data);
    };
    characteristic.on('data', onData);
    characteristic.read();
    return () => characteristic.removeListener('data', onData);
  });
}

export function subscribeCharacteristic(characteristic: Characteristic, timeoutMs: number, signal: AbortSignal): Promise<void> {
  return runStep('subscribe', characteristic.uuid, timeoutMs, signal, ({ resolve }) => {
    const onNotify = () => resolve();
    characteristic.on('notify', onNotify);
    characteristic.subscribe();
    return () => characteristic.removeListener('notify', onNotify);
  });
}

export function writeCharacteristic(
  characteristic: Characteristic,
  data: Uint8Array,
  withoutResponse: boolean,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  return runStep('write', characteristic.uuid, timeoutMs, signal, ({ resolve }) => {
    const onWrite = () => resolve();
    characteristic.on('write', onWrite);
    characteristic.write(Buffer.from(data), withoutResponse);
    return () => characteristic.removeListener('write', onWrite);
  });
}

/** Waits `ms` between two steps (a sensor that takes one command at a time); rejects if `signal` aborts. */
export function pauseBetweenSteps(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(new GattStepError('write', 'aborted', 'pause between writes: aborted'));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new GattStepError('write', 'aborted', 'pause between writes: aborted'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Ends the connection and waits for noble to report it ended. */
export function disconnectPeripheral(peripheral: Peripheral, timeoutMs: number, signal: AbortSignal): Promise<void> {
  return runStep('disconnect', peripheral.id, timeoutMs, signal, ({ resolve }) => {
    const onDisconnect = () => resolve();
    peripheral.on('disconnect', onDisconnect);
    peripheral.disconnect();
    return () => peripheral.removeListener('disconnect', onDisconnect);
  });
}
