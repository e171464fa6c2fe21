/**
 * The MQTT topic tree of docs/INTERFACES.md §6 under a configurable root, written once so the publisher, the request
 * handler, the broker's ACL and Home Assistant discovery cannot disagree about a topic.
 */
import { DEFAULT_MQTT_ROOT as DEFAULT_ROOT, MQTT_ROOT_PATTERN as ROOT } from '../config/config.ts';

export interface Topics {
  readonly root: string;
  readonly bridgeState: string;
  /** Subscription filter for every command request. */
  readonly requestFilter: string;
  request(command: string): string;
  response(command: string): string;
  sensor(sensorId: string): string;
  live(athleteId: string): string;
  reps(athleteId: string): string;
  cue(athleteId: string): string;
  session(athleteId: string): string;
  /** Extension (retained): per-athlete running stats for Home Assistant and other state-only consumers. */
  stats(athleteId: string): string;
  /** The command named by a request topic, or null when the topic is not a request. */
  commandOf(topic: string): string | null;
}

export function topicsFor(root: string = DEFAULT_ROOT): Topics {
  if (!ROOT.test(root)) throw new Error(`invalid MQTT root topic "${root}": use levels of [A-Za-z0-9_-] separated by /`);
  const athlete = (id: string, leaf: string) => `${root}/athletes/${id}/${leaf}`;
  const requestPrefix = `${root}/bridge/request/`;
  return {
    root,
    bridgeState: `${root}/bridge/state`,
    requestFilter: `${requestPrefix}+`,
    request: (command) => requestPrefix + command,
    response: (command) => `${root}/bridge/response/${command}`,
    sensor: (id) => `${root}/sensors/${id}`,
    live: (id) => athlete(id, 'live'),
    reps: (id) => athlete(id, 'reps'),
    cue: (id) => athlete(id, 'cue'),
    session: (id) => athlete(id, 'session'),
    stats: (id) => athlete(id, 'stats'),
    commandOf: (topic) => {
      if (!topic.startsWith(requestPrefix)) return null;
      const command = topic.slice(requestPrefix.length);
      return command.length > 0 && !command.includes('/') ? command : null;
    },
  };
}
