/** Raw MQTT bytes for tests that talk below the client library. */

/** The remaining-length varint of a fixed header (MQTT 3.1.1 §2.2.3): seven bits per byte, least significant first. */
export function remainingLength(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}
