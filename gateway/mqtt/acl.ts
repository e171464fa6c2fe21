/**
 * Who may publish where, as a pure rule the embedded broker applies to every PUBLISH and Last Will. The gateway
 * owns the whole root except the request topics; everyone else may only ask (`bridge/request/<command>`). So no
 * client can announce the bridge online/offline, fake a rep, or write another athlete's topics.
 */
import type { Topics } from './topics.ts';

export type Principal = 'gateway' | 'client';

export function mayPublish(topics: Topics, principal: Principal, topic: string): boolean {
  if (principal === 'gateway') return true;
  // `$SYS/` is the broker's own status tree: no client writes there.
  if (topic.startsWith('$')) return false;
  if (topic === topics.root || topic.startsWith(`${topics.root}/`)) return topics.commandOf(topic) !== null;
  // Outside the root the embedded broker is an ordinary local broker (other home devices may share it).
  return true;
}

/** Retained messages clients may keep on the embedded broker at once, and their bytes (the gateway's own are not counted). */
export const MAX_CLIENT_RETAINED = 1_000;
export const MAX_CLIENT_RETAINED_BYTES = 1 << 20;

/**
 * Keeps the clients' retained messages within MAX_CLIENT_RETAINED and MAX_CLIENT_RETAINED_BYTES: each retained
 * publish replaces the topic's earlier one (an empty payload deletes it), and one that would go beyond the
 * bounds is refused. Without it 200,000 retained 1 KB messages took the gateway from 151 to 412 MB.
 */
export class RetainedBudget {
  private readonly sizes = new Map<string, number>();
  private bytes = 0;

  /** True (and counted) when this retained publish fits; false when it would exceed a bound. */
  admit(topic: string, payloadBytes: number): boolean {
    const previous = this.sizes.get(topic);
    const count = this.sizes.size + (previous === undefined && payloadBytes > 0 ? 1 : 0) - (previous !== undefined && payloadBytes === 0 ? 1 : 0);
    const bytes = this.bytes - (previous ?? 0) + payloadBytes;
    if (payloadBytes > 0 && (count > MAX_CLIENT_RETAINED || bytes > MAX_CLIENT_RETAINED_BYTES)) return false;
    if (payloadBytes === 0) this.sizes.delete(topic);
    else this.sizes.set(topic, payloadBytes);
    this.bytes = bytes;
    return true;
  }
}
