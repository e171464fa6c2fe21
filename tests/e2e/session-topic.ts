import mqtt from 'mqtt';

export interface SessionPayload {
  readonly reps?: number;
  readonly pelvic_tilt?: string | null;
  readonly suggested_cutoff_cm: number | null;
  readonly suggestion_basis?: { readonly reps: readonly number[]; readonly onset_min_cm: number; readonly onset_max_cm: number } | null;
}

/** Follows the athlete's retained MQTT `session` topic on the gateway's broker: the latest payload. */
export async function followSessionTopic(url: string, athlete: string): Promise<{ latest: () => SessionPayload | null; close: () => Promise<void> }> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5_000 });
  let latest: SessionPayload | null = null;
  client.on('message', (_topic, message) => {
    latest = JSON.parse(message.toString()) as SessionPayload;
  });
  await client.subscribeAsync(`squatmon/athletes/${athlete}/session`);
  return { latest: () => latest, close: () => client.endAsync() };
}

