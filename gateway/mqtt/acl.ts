/**
 * Who may publish where, as a pure rule the embedded broker applies to every PUBLISH and Last Will. The gateway
 * owns the whole root except the request topics; everyone else may only ask (`bridge/request/<command>`). So no
 * client can announce the bridge online/offline, fake a rep, or write another athlete's topics.
 */
import type { Topics } from './topics.ts';

export type Principal = 'gateway' | 'client';

export function mayPublish(topics: Topics, principal: Principal, topic: string): boolean {
  if (principal === 'gateway') return true;
  if (topic === topics.root || topic.startsWith(`${topics.root}/`)) return topics.commandOf(topic) !== null;
  // Outside the root the embedded broker is an ordinary local broker (other home devices may share it).
  return true;
}
