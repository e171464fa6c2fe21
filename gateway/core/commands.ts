/**
 * The commands a lifter or coach can give the gateway — start and stop a set, set the cutoff, calibrate… — as
 * one contract for every way they arrive: MQTT requests (mqtt/requests.ts) and the REST API (http/rest-api.ts)
 * both validate against RequestSchemas and call the service through BridgeCommands.
 */
import { z } from 'zod';
import { athleteIdSchema } from './ids.ts';

/** Calibrations a lifter can run (the store's CHECK constraints list the same; a test holds them equal). */
export const CALIBRATION_KINDS = ['standing', 'tilt_range', 'max_flexion'] as const;
export type CalibrationKind = (typeof CALIBRATION_KINDS)[number];

/** What a requester may add to match a response to its request. */
export const Transaction = z.union([z.string().max(128), z.number()]);
const base = { athlete: athleteIdSchema, transaction: Transaction.optional() };

export const RequestSchemas = {
  calibrate: z.strictObject({ ...base, kind: z.enum(CALIBRATION_KINDS) }),
  set_start: z.strictObject(base),
  set_stop: z.strictObject(base),
  set_cutoff: z.strictObject({ ...base, cutoff_cm: z.number().min(0).max(150).nullable() }),
  set_wink_threshold: z.strictObject({ ...base, wink_threshold_deg: z.number().min(0).max(90) }),
  name_athlete: z.strictObject({ ...base, name: z.string().trim().min(1).max(64) }),
} as const;

export type CommandName = keyof typeof RequestSchemas;
export type CommandRequest<C extends CommandName> = Omit<z.infer<(typeof RequestSchemas)[C]>, 'transaction'>;

/** What a command may answer with (sent as `data`); undefined: no data. */
export type CommandData = unknown;

/** The service's side of the commands. Throw `CommandError` to refuse with a message the requester sees. */
export interface BridgeCommands {
  calibrate(request: CommandRequest<'calibrate'>): Promise<CommandData>;
  setStart(request: CommandRequest<'set_start'>): Promise<CommandData>;
  setStop(request: CommandRequest<'set_stop'>): Promise<CommandData>;
  setCutoff(request: CommandRequest<'set_cutoff'>): Promise<CommandData>;
  setWinkThreshold(request: CommandRequest<'set_wink_threshold'>): Promise<CommandData>;
  nameAthlete(request: CommandRequest<'name_athlete'>): Promise<CommandData>;
}

/** A refusal meant for the requester (unknown athlete, no sensor connected, …). */
export class CommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandError';
  }
}

export type Dispatch = { [C in CommandName]: (commands: BridgeCommands, request: CommandRequest<C>) => Promise<CommandData> };
/** Which BridgeCommands method serves each command (MQTT requests and the REST API alike). */
export const dispatch: Dispatch = {
  calibrate: (c, r) => c.calibrate(r),
  set_start: (c, r) => c.setStart(r),
  set_stop: (c, r) => c.setStop(r),
  set_cutoff: (c, r) => c.setCutoff(r),
  set_wink_threshold: (c, r) => c.setWinkThreshold(r),
  name_athlete: (c, r) => c.nameAthlete(r),
};

export function isCommand(name: string): name is CommandName {
  return Object.hasOwn(RequestSchemas, name);
}
