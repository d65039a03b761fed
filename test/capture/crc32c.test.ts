import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32c, crc32cUpdate, sctpChecksum, storedSctpChecksum, verifySctpChecksum, writeSctpChecksum } from '../../src/capture/index.js';

/** Bit-at-a-time CRC32c: the definition, to check the table-driven one against. */
function reference(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe('CRC32c', () => {
  it('has the Castagnoli check value 0xE3069283 for "123456789"', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
  });

  it('is 0 for no data and matches known vectors', () => {
    expect(crc32c(new Uint8Array(0))).toBe(0);
    // RFC 3720 B.4: 32 octets of zeros, and of 0xFF.
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
  });

  it('agrees with the bitwise definition on any input and any split', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (data, cut) => {
        const at = data.length ? cut % (data.length + 1) : 0;
        const whole = crc32c(data);
        expect(whole).toBe(reference(data));
        expect(crc32cUpdate(crc32cUpdate(0, data, 0, at), data, at)).toBe(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('computes the SCTP checksum with the field taken as zero and stores it least-significant octet first', () => {
    const packet = Uint8Array.from([0x0f, 0x17, 0x26, 0xad, 1, 2, 3, 4, 9, 9, 9, 9, 3, 0, 0, 16, 0, 0, 0, 5, 0, 1, 0, 0, 0, 0, 0, 0]);
    const zeroed = packet.slice();
    zeroed.fill(0, 8, 12);
    const crc = crc32c(zeroed);
    expect(sctpChecksum(packet)).toBe(crc);
    writeSctpChecksum(packet);
    expect([...packet.subarray(8, 12)]).toEqual([crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff, crc >>> 24]);
    expect(storedSctpChecksum(packet)).toBe(crc);
    expect(verifySctpChecksum(packet)).toBe(true);
    packet[20]! ^= 1;
    expect(verifySctpChecksum(packet)).toBe(false);
    expect(verifySctpChecksum(new Uint8Array(11))).toBe(false);
  });
});
