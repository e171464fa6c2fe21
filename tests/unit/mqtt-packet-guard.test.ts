import { describe, expect, it } from 'vitest';
import { MAX_CONNECT_BYTES, PacketSizeGuard } from '../../gateway/mqtt/packet-guard.ts';
import { remainingLength } from '../support/mqtt-bytes.ts';

/** An MQTT fixed header (type, remaining length as a varint) followed by `body` bytes. */
function packet(type: number, body: number): Buffer {
  return Buffer.concat([Buffer.from([type << 4, ...remainingLength(body)]), Buffer.alloc(body)]);
}

describe('PacketSizeGuard', () => {
  it('follows packet boundaries across any chunking and passes a normal session', () => {
    const stream = Buffer.concat([packet(1, 40), packet(8, 20), packet(3, 300), packet(12, 0), packet(3, 100_000), packet(14, 0)]);
    for (const size of [1, 2, 3, 7, 64, 1000, stream.length]) {
      const guard = new PacketSizeGuard();
      for (let i = 0; i < stream.length; i += size) expect(guard.inspect(stream.subarray(i, i + size))).toEqual({ ok: true });
      expect(guard.packetsSeen).toBe(6);
    }
  });

  it('refuses a CONNECT declaring more than its bound, from its header alone, and a later packet over its own', () => {
    // The header of a 200 MiB CONNECT: refused before any body arrives.
    expect(new PacketSizeGuard().inspect(packet(1, 200 * 2 ** 20).subarray(0, 5))).toMatchObject({ ok: false, reason: expect.stringMatching(/CONNECT of 209715200 bytes/) });
    expect(new PacketSizeGuard().inspect(packet(1, MAX_CONNECT_BYTES + 1))).toMatchObject({ ok: false });
    const guard = new PacketSizeGuard();
    expect(guard.inspect(packet(1, 30))).toEqual({ ok: true });
    expect(guard.inspect(packet(3, 10 * 2 ** 20).subarray(0, 6))).toMatchObject({ ok: false, reason: expect.stringMatching(/packet of 10485760 bytes/) });
  });

  it('refuses a first packet that is not a CONNECT, and a remaining length longer than four bytes', () => {
    expect(new PacketSizeGuard().inspect(packet(3, 10))).toMatchObject({ ok: false, reason: 'the first packet is not a CONNECT' });
    const guard = new PacketSizeGuard();
    guard.inspect(packet(1, 10));
    expect(guard.inspect(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff]))).toMatchObject({ ok: false, reason: 'malformed remaining length' });
  });
});
