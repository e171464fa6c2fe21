export { GilbertElliottChannel } from './gilbert-elliott.ts';
export type { BurstLossParams } from './gilbert-elliott.ts';
export { IDEAL_LINK, LinkFaultModel, simulateLink } from './link-fault-model.ts';
export type { Delivery, LinkFaultConfig, LinkOutage, LinkStats } from './link-fault-model.ts';
