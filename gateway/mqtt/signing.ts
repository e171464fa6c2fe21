/**
 * Signed MQTT messages: how a historian tells a gateway's facts from anything else on a shared broker.
 *
 * A gateway with a signing key (`mqtt.signer` + `mqtt.signingKey`) adds two fields at the end of every JSON
 * object it publishes: `"signer":"<its name>"` and `"sig":"<HMAC-SHA256, hex>"`. The HMAC covers the topic, a
 * newline and the payload exactly as published up to and including the `signer` field, closed with `}` — text,
 * not re-serialised JSON, so both ends agree byte for byte whatever the JSON library. Binding the topic stops a
 * signed rep of one athlete being replayed as another's; replaying a message unchanged only repeats a fact the
 * history already holds (rep ids are stable and inserts idempotent).
 *
 * The fields are an extension of docs/INTERFACES.md §6: subscribers that do not know them ignore them.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { SIGNER_PATTERN } from '../core/ids.ts';

export interface SigningIdentity {
  /** The gateway's name, as the historian's `historian.gatewayKeys` knows it. */
  readonly signer: string;
  readonly key: string;
}

/** What a gateway turns a payload into before publishing it. */
export type PayloadEncoder = (topic: string, payload: unknown) => string;

export const plainEncoder: PayloadEncoder = (_topic, payload) => JSON.stringify(payload);

const SIG_SUFFIX = /,"sig":"([0-9a-f]{64})"\}$/;

function hmac(key: string, topic: string, signedText: string): Buffer {
  return createHmac('sha256', key).update(topic).update('\n').update(signedText).digest();
}

/**
 * An encoder that signs every JSON object it publishes under `root` (given: only there; anything else, e.g. Home
 * Assistant's discovery topics, whose schema may refuse unknown fields, is published as plain JSON).
 */
export function signingEncoder(identity: SigningIdentity, root?: string): PayloadEncoder {
  const signerField = `"signer":${JSON.stringify(identity.signer)}`;
  return (topic, payload) => {
    const text = JSON.stringify(payload);
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return text;
    if (root !== undefined && !topic.startsWith(`${root}/`)) return text;
    const open = text.slice(0, -1) + (text === '{}' ? '' : ',') + signerField;
    const sig = hmac(identity.key, topic, `${open}}`).toString('hex');
    return `${open},"sig":"${sig}"}`;
  };
}

export type Verification =
  /** `json`: the payload without `signer` and `sig`; `signer`: whose key verified it. */
  | { readonly status: 'verified'; readonly json: Record<string, unknown>; readonly signer: string }
  | { readonly status: 'refused'; readonly reason: string };

/**
 * Checks a payload against the keys of the gateways this historian trusts (name → key). Refuses, with the
 * reason, anything unsigned, signed by an unknown name, or whose signature does not match.
 */
export function verifySigned(topic: string, payload: Uint8Array, keys: ReadonlyMap<string, string>): Verification {
  const text = Buffer.from(payload).toString('utf8');
  const match = SIG_SUFFIX.exec(text);
  if (match === null) return { status: 'refused', reason: 'not signed' };
  const signedText = `${text.slice(0, match.index)}}`;
  let json: unknown;
  try {
    json = JSON.parse(signedText);
  } catch {
    return { status: 'refused', reason: 'signed part is not JSON' };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return { status: 'refused', reason: 'not a JSON object' };
  const { signer, ...fields } = json as Record<string, unknown>;
  if (typeof signer !== 'string' || !SIGNER_PATTERN.test(signer)) return { status: 'refused', reason: 'no signer name' };
  const key = keys.get(signer);
  if (key === undefined) return { status: 'refused', reason: `signer ${signer} is not a trusted gateway` };
  const expected = hmac(key, topic, signedText);
  const given = Buffer.from(match[1]!, 'hex');
  if (!timingSafeEqual(expected, given)) return { status: 'refused', reason: `signature of ${signer} does not match` };
  return { status: 'verified', json: fields, signer };
}
