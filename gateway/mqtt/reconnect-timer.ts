/**
 * Changing an MQTT.js client's reconnect delay while it is already waiting. MQTT.js arms one interval timer with
 * `options.reconnectPeriod` when a connection closes and keeps it until it connects; a new period only counts
 * from the next timer. The timer is private in mqtt@5.16.0 (pinned): this is the one place that touches it.
 */
import type { MqttClient } from 'mqtt';

interface ReconnectInternals {
  reconnectTimer: ReturnType<typeof setInterval> | null;
  _setupReconnect(): void;
}

/**
 * Sets the delay before the next attempt. `armNow`: start waiting now (the connection has already closed);
 * otherwise the next close arms it.
 */
export function setReconnectDelay(client: MqttClient, delayMs: number, armNow: boolean): void {
  const internals = client as unknown as ReconnectInternals;
  if (internals.reconnectTimer !== null) clearInterval(internals.reconnectTimer);
  internals.reconnectTimer = null;
  client.options.reconnectPeriod = delayMs;
  if (armNow) internals._setupReconnect();
}
