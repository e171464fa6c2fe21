/**
 * Identifiers every boundary checks (config, MQTT requests, REST, the historian's ingest, the store): one rule
 * each, defined here only.
 */
import { z } from 'zod';

/** An athlete id: 1–32 lowercase letters, digits and dashes, not starting with a dash (it heads MQTT topics and file names). */
const ATHLETE_ID = '[a-z0-9][a-z0-9-]{0,31}';

export const athleteIdSchema = z.string().regex(new RegExp(`^${ATHLETE_ID}$`), 'athlete ids are 1–32 characters a-z, 0-9 and -, not starting with -');

/** `YYYYMMDD-HHMMSS-<athlete>`. */
export const sessionIdSchema = z.string().regex(new RegExp(`^\\d{8}-\\d{6}-${ATHLETE_ID}$`), 'session ids are YYYYMMDD-HHMMSS-<athlete>');

/** A gateway's signer name (mqtt/signing.ts): short and plain, safe in a JSON field and a log line. */
export const SIGNER_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
export const SIGNER_NAME_RULE = 'signer names are 1–32 characters A-Z, a-z, 0-9, _ and -';
export const signerNameSchema = z.string().regex(SIGNER_PATTERN, SIGNER_NAME_RULE);
