/**
 * Bounds what the embedded broker buffers for a client, before the MQTT parser sees it. The parser (aedes,
 * mqtt-packet) keeps a packet's bytes until the whole declared length has arrived, so a client that declares a
 * 200 MiB CONNECT and trickles it in held that memory with nothing logged. The guard reads each packet's fixed
 * header as the bytes go by (type, remaining length) and closes the connection as soon as a packet declares
 * more than its bound: a CONNECT (the first packet, sent before any login) a few KiB, any later packet a few
 * hundred KiB (the gateway's largest, a session summary, is a few KiB). Each refusal is logged once, with the
 * peer's address.
 */

/** Largest CONNECT accepted, bytes: client id, username, password and a will message fit easily. */
export const MAX_CONNECT_BYTES = 16 * 1024;
/** Largest packet after the CONNECT, bytes. */
export const MAX_PACKET_BYTES = 256 * 1024;

type Verdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Follows one connection's packet boundaries across the chunks it arrives in. */
export class PacketSizeGuard {
  private packets = 0;
  /** Bytes of the current packet's body still to skip. */
  private bodyLeft = 0;
  /** Whether the current fixed header's first byte (type and flags) was read: then its length bytes follow. */
  private inLength = false;
  private lengthSoFar = 0;
  private lengthBytes = 0;

  constructor(
    private readonly maxConnectBytes = MAX_CONNECT_BYTES,
    private readonly maxPacketBytes = MAX_PACKET_BYTES,
  ) {}

  /** Whole fixed headers seen so far (the CONNECT's is the first). */
  get packetsSeen(): number {
    return this.packets;
  }

  /** Looks at the next chunk of the connection's bytes; not ok as soon as a packet breaks the bounds. */
  inspect(chunk: Uint8Array): Verdict {
    let i = 0;
    while (i < chunk.length) {
      if (this.bodyLeft > 0) {
        const skip = Math.min(this.bodyLeft, chunk.length - i);
        this.bodyLeft -= skip;
        i += skip;
        continue;
      }
      const byte = chunk[i++];
      if (!this.inLength) {
        if (this.packets === 0 && byte >> 4 !== 1) return { ok: false, reason: 'the first packet is not a CONNECT' };
        this.inLength = true;
        continue;
      }
      // Remaining length: up to four bytes of seven bits each, least significant first.
      this.lengthSoFar += (byte & 0x7f) * 128 ** this.lengthBytes;
      this.lengthBytes++;
      if (byte & 0x80) {
        if (this.lengthBytes === 4) return { ok: false, reason: 'malformed remaining length' };
        continue;
      }
      const limit = this.packets === 0 ? this.maxConnectBytes : this.maxPacketBytes;
      const declared = this.lengthSoFar;
      if (declared > limit) {
        return { ok: false, reason: `${this.packets === 0 ? 'CONNECT' : 'packet'} of ${declared} bytes declared (at most ${limit})` };
      }
      this.packets++;
      this.inLength = false;
      this.lengthSoFar = 0;
      this.lengthBytes = 0;
      this.bodyLeft = declared;
    }
    return { ok: true };
  }
}
