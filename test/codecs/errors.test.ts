/**
 * One test (at least) per DecodeError code, with its offset, path and causes; the four action-bit
 * variants of unknown parameters; and what lenient mode tolerates that strict mode rejects.
 */
import { describe, expect, it } from 'vitest';
import { decode, DecodeError, encode, ERR, type DecodeOptions, type Message } from '../../codecs/index.js';
import { fromHex, text, toHex } from '../support/hex.js';

// ASAP Registration of wire-format §10. Offsets: Pool Handle TLV 4, Pool Element TLV 20 (fixed part
// 24–35), SCTP transport 36 (port 40, use 42, IPv4 TLV 44), policy TLV 52, end 60.
const REG = '0100003c 0009000f 43616c63 41707050 6f6f6c00 000a0028 5562e917 00000000 000dbba0 00040010 e6010001 00010008 0affff01 00080008 00000001';

function patched(hex: string, edits: Record<number, number[]>): Uint8Array {
  const b = fromHex(hex);
  for (const [at, bytes] of Object.entries(edits)) b.set(bytes, Number(at));
  return b;
}

function error(bytes: Uint8Array, opts: Partial<DecodeOptions> = {}): DecodeError {
  try {
    decode(bytes, { protocol: 'asap', ...opts });
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    return e as DecodeError;
  }
  throw new Error('expected a DecodeError');
}

const tcp3 = (n: number): Message => ({
  protocol: 'asap',
  type: 'registration',
  poolHandle: text('P'),
  poolElement: {
    peId: 1,
    homeRegistrarId: 0,
    registrationLife: 1000,
    userTransport: { transport: 'sctp', port: 1, transportUse: 'dataOnly', addresses: Array.from({ length: n }, (_, i) => ({ family: 'ipv4' as const, address: `10.0.0.${i + 1}` })) },
    policy: { name: 'roundRobin' },
  },
});

describe('DecodeError codes', () => {
  it('RSP_ERR_INCOMPLETE: fewer octets than Message Length, with the octets needed', () => {
    const e = error(fromHex(REG).subarray(0, 59));
    expect(e.code).toBe(ERR.incomplete);
    expect(e.incomplete).toBe(true);
    expect(e.needed).toBe(60);
    expect(e.offset).toBe(2);
    expect(error(fromHex('0100')).code).toBe(ERR.incomplete);
    expect(error(new Uint8Array(0)).code).toBe(ERR.incomplete);
  });

  it('RSP_ERR_MESSAGE_LENGTH_TOO_SMALL: below 4, or below the fixed fields (Keep-Alive needs 8)', () => {
    expect(error(patched(REG, { 2: [0, 3] })).code).toBe(ERR.messageLengthTooSmall);
    expect(error(fromHex('07000006 00000001')).code).toBe(ERR.messageLengthTooSmall);
    expect(error(fromHex('0200000b 00000001 000000'), { protocol: 'enrp' }).code).toBe(ERR.messageLengthTooSmall);
  });

  it('RSP_ERR_MESSAGE_LENGTH_MISMATCH: Message Length ends between parameters (both modes)', () => {
    const b = new Uint8Array(64);
    b.set(fromHex(REG));
    b.set([0, 62], 2);
    for (const mode of ['strict', 'lenient'] as const) {
      const e = error(b, { mode });
      expect(e.code).toBe(ERR.messageLengthMismatch);
      expect(e.offset).toBe(60);
      expect(e.rsplibCause).toBe(0x0010);
    }
  });

  it('RSP_ERR_MESSAGE_LENGTH_MISMATCH is not raised for an unpadded Message Length (both readings accepted)', () => {
    // Same Handle Resolution with L = 0x1b (pool handle "CalcAppPoo" + 1 octet less): the RFC reading.
    const b = fromHex('05000013 0009000f 43616c63 41707050 6f6f6c00');
    expect(decode(b, { protocol: 'asap' }).bytesRead).toBe(20);
  });

  it('RSP_ERR_TRAILING_BYTES: octets after the message (strict), tolerated and listed (lenient)', () => {
    const b = new Uint8Array(64);
    b.set(fromHex(REG));
    b.set([1, 2, 3, 4], 60);
    const e = error(b);
    expect(e.code).toBe(ERR.trailingBytes);
    expect(e.offset).toBe(60);
    const r = decode(b, { protocol: 'asap', mode: 'lenient' });
    expect(r.tolerated.map((t) => t.code)).toEqual([ERR.trailingBytes]);
    expect(r.bytesRead).toBe(60);
    expect(decode(b, { protocol: 'asap', allowTrailing: true }).bytesRead).toBe(60);
  });

  it('RSP_ERR_UNKNOWN_MESSAGE_TYPE: cause Unrecognized Message carrying the message; rsplib stays silent', () => {
    const b = fromHex('0f000008 00000000');
    const e = error(b);
    expect(e.code).toBe(ERR.unknownMessageType);
    expect(e.cause).toEqual({ code: 0x0002, info: b });
    expect(e.rsplibCause).toBeNull();
    expect(error(fromHex('0b00000c 00000001 00000002'), { protocol: 'enrp' }).code).toBe(ERR.unknownMessageType);
  });

  it('RSP_ERR_TLV_LENGTH_TOO_SMALL: a Length below 4, with the TLV as cause info', () => {
    const e = error(patched(REG, { 6: [0, 3] }));
    expect(e.code).toBe(ERR.tlvLengthTooSmall);
    expect(e.offset).toBe(6);
    expect(e.path).toBe('registration');
    expect(e.cause?.code).toBe(0x0003);
    // An empty pool handle (Length 4) is below that parameter's minimum.
    expect(error(fromHex('05000008 00090004')).code).toBe(ERR.tlvLengthTooSmall);
  });

  it('RSP_ERR_TLV_OVERRUN: a Pool Element Length past the message', () => {
    const e = error(patched(REG, { 22: [0, 0x30] }));
    expect(e.code).toBe(ERR.tlvOverrun);
    expect(e.offset).toBe(22);
  });

  it('RSP_ERR_BAD_LENGTH: fixed-size parameters with the wrong Length', () => {
    // PE Identifier with Length 12 in a Deregistration.
    expect(error(fromHex('02000018 00090005 41000000 000e000c 00000001 00000000')).code).toBe(ERR.badLength);
    // PE checksum with Length 8 (rsplib refuses the 32-bit variant).
    expect(error(fromHex('01000014 00000001 00000002 000f0008 84900000'), { protocol: 'enrp' }).code).toBe(ERR.badLength);
    // IPv4 address with Length 6: error in both modes.
    const short = patched(REG, { 46: [0, 6] });
    expect(error(short).code).toBe(ERR.badLength);
    expect(error(short, { mode: 'lenient' }).code).toBe(ERR.badLength);
  });

  it('RSP_ERR_BAD_LENGTH: an IPv4 address with extra octets is tolerated in lenient mode (rsplib skips them)', () => {
    // Registration of pool "P" whose user transport's IPv4 TLV has Length 12 (4 extra octets).
    const b = fromHex(
      '01000038 00090005 50000000 000a002c 00000001 00000000 000003e8 00040014 00010000 0001000c 0a000001 00000000 00080008 00000001',
    );
    const e = error(b);
    expect(e.code).toBe(ERR.badLength);
    expect(e.offset).toBe(38);
    expect(e.path).toBe('registration.poolElement.userTransport.addresses[0]');
    const r = decode(b, { protocol: 'asap', mode: 'lenient' });
    expect(r.tolerated.map((t) => t.code)).toEqual([ERR.badLength]);
    expect(r.value).toMatchObject({ poolElement: { userTransport: { addresses: [{ family: 'ipv4', address: '10.0.0.1' }] } } });
  });

  it('RSP_ERR_BAD_PADDING: non-zero padding is rejected strictly and tolerated leniently', () => {
    const b = patched(REG, { 19: [0xaa] });
    const e = error(b);
    expect(e.code).toBe(ERR.badPadding);
    expect(e.offset).toBe(19);
    expect(decode(b, { protocol: 'asap', mode: 'lenient' }).tolerated[0]?.code).toBe(ERR.badPadding);
  });

  it('RSP_ERR_RESERVED_NONZERO: undefined flag bits and reserved fields; lenient keeps them', () => {
    const b = patched(REG, { 1: [0x80] });
    expect(error(b).code).toBe(ERR.reservedNonZero);
    const r = decode(b, { protocol: 'asap', mode: 'lenient' });
    expect(r.value.reservedFlags).toBe(0x80);
    expect(toHex(encode(r.value))).toBe(toHex(b));
  });

  it('RSP_ERR_UNEXPECTED_PARAMETER: parameters out of order', () => {
    // Pool Element before Pool Handle.
    const reg = fromHex(REG);
    const swapped = new Uint8Array(60);
    swapped.set(reg.subarray(0, 4));
    swapped.set(reg.subarray(20, 60), 4);
    swapped.set(reg.subarray(4, 20), 44);
    const e = error(swapped);
    expect(e.code).toBe(ERR.unexpectedParameter);
    expect(e.offset).toBe(4);
    expect(e.path).toBe('registration.poolHandle');
    expect(e.rsplibCause).toBe(0x0010);
  });

  it('RSP_ERR_UNEXPECTED_PARAMETER: a second Pool Element after the last expected parameter', () => {
    const reg = fromHex(REG);
    const b = new Uint8Array(100);
    b.set(reg);
    b.set(reg.subarray(20, 60), 60);
    b.set([0, 100], 2);
    expect(error(b).code).toBe(ERR.unexpectedParameter);
  });

  it('RSP_ERR_MISSING_PARAMETER: a Registration without its Pool Element', () => {
    const e = error(fromHex('01000014 0009000f 43616c63 41707050 6f6f6c00'));
    expect(e.code).toBe(ERR.missingParameter);
    expect(e.path).toBe('registration.poolElement');
  });

  it('RSP_ERR_TOO_MANY_PARAMETERS: a TCP transport with 3 addresses (both modes), with 2 (lenient, as rsplib)', () => {
    const tcp = (n: number): Uint8Array => {
      const b = encode(tcp3(n));
      b[4 + 8 + 16] = 0; // user transport type 0x0004 → 0x0005 (TCP)
      b[4 + 8 + 16 + 1] = 5;
      return b;
    };
    expect(error(tcp(3), { mode: 'lenient' }).code).toBe(ERR.tooManyParameters);
    expect(error(tcp(2)).code).toBe(ERR.tooManyParameters);
    expect(decode(tcp(2), { protocol: 'asap', mode: 'lenient' }).tolerated[0]?.code).toBe(ERR.tooManyParameters);
    expect(decode(tcp(1), { protocol: 'asap' }).tolerated).toEqual([]);
  });

  it('RSP_ERR_VALUE_OUT_OF_RANGE: transport use 2', () => {
    const e = error(patched(REG, { 42: [0, 2] }));
    expect(e.code).toBe(ERR.valueOutOfRange);
    expect(e.path).toBe('registration.poolElement.userTransport.transportUse');
    expect(e.offset).toBe(42);
  });

  it('RSP_ERR_UNKNOWN_POLICY: an undefined policy type; rsplib answers 0x100b', () => {
    const e = error(patched(REG, { 56: [0, 0, 0, 9] }));
    expect(e.code).toBe(ERR.unknownPolicy);
    expect(e.rsplibCause).toBe(0x100b);
    expect(e.path).toBe('registration.poolElement.policy.type');
  });

  it('RSP_ERR_BAD_LENGTH: a policy TLV shorter than its type needs (WRR without weight)', () => {
    const e = error(patched(REG, { 56: [0, 0, 0, 2] }));
    expect(e.code).toBe(ERR.badLength);
    expect(e.rsplibCause).toBe(0x0011);
  });

  it('RSP_ERR_ASAP_TRANSPORT: present in a Registration, absent in a Handle Update (rsplib 0xf006)', () => {
    const hu = fromHex(
      '04000058 00000001 00000002 00000000 0009000f 43616c63 41707050 6f6f6c00 000a0038 5562e917 00000001 000dbba0 00040010 e6010001 00010008 0affff01 00080008 00000001 00040010 854f0000 00010008 0affff01',
    );
    const pe = hu.subarray(32, 88);
    const reg = new Uint8Array(4 + 16 + 56);
    reg.set([1, 0, 0, 76]);
    reg.set(hu.subarray(16, 32), 4);
    reg.set(pe, 20);
    const e = error(reg);
    expect(e.code).toBe(ERR.asapTransport);
    expect(e.rsplibCause).toBe(0xf006);
    const noAsap = new Uint8Array(72);
    noAsap.set(hu.subarray(0, 72));
    noAsap.set([0, 72], 2);
    noAsap.set([0, 0x28], 34);
    expect(error(noAsap, { protocol: 'enrp' }).code).toBe(ERR.asapTransport);
  });
});

describe('unknown parameters: the four action-bit variants (RFC 5354 §2)', () => {
  // Handle Resolution with an unknown 8-octet TLV of type 0x3abc | action after the Pool Handle.
  const withUnknown = (action: number) => {
    const b = fromHex('0500001c 0009000f 43616c63 41707050 6f6f6c00 00000008 01020304');
    b.set([(action << 6) | 0x3a, 0xbc], 20);
    return b;
  };

  it('00: stop and discard silently (no cause to send)', () => {
    const e = error(withUnknown(0));
    expect(e.code).toBe(ERR.unknownParameter);
    expect(e.cause).toBeNull();
    expect(e.rsplibCause).toBeNull();
    expect(e.offset).toBe(20);
  });

  it('01: stop, discard and report: cause Unrecognized Parameter with the TLV', () => {
    const e = error(withUnknown(1));
    expect(e.code).toBe(ERR.unknownParameter);
    expect(e.cause).toEqual({ code: 0x0001, info: fromHex('7abc0008 01020304') });
    expect(e.rsplibCause).toBe(0x0001);
  });

  it('10: skip and go on, nothing to report', () => {
    const r = decode(withUnknown(2), { protocol: 'asap' });
    expect(r.value).toMatchObject({ type: 'handleResolution' });
    expect(r.skipped.map((u) => u.type)).toEqual([0xbabc]);
    expect(r.toReport).toEqual([]);
  });

  it('11: skip, go on, and report it', () => {
    const r = decode(withUnknown(3), { protocol: 'asap' });
    expect(r.toReport).toHaveLength(1);
    expect(r.toReport[0]).toMatchObject({ type: 0xfabc, offset: 20, report: true });
    expect(toHex(r.toReport[0]!.tlv)).toBe('fabc000801020304');
  });

  it('an unknown TLV nested in a Pool Element is handled the same way, with its path', () => {
    const b = fromHex(REG);
    const grown = new Uint8Array(68);
    grown.set(b.subarray(0, 60));
    grown.set(fromHex('c0aa0008 00000000'), 60);
    grown.set([0, 68], 2);
    grown.set([0, 0x30], 22);
    const r = decode(grown, { protocol: 'asap' });
    expect(r.toReport[0]?.path).toBe('registration.poolElement<0xc0aa>');
  });

  it('a known type with action bits set (0x8009) is a different type, except in lenient mode (rsplib compares 14 bits)', () => {
    const b = patched(REG, { 4: [0x80, 0x09] });
    // Strict: 0x8009 is an unknown "skip" parameter, so the Pool Element is met where the handle belongs.
    expect(error(b).code).toBe(ERR.unexpectedParameter);
    const r = decode(b, { protocol: 'asap', mode: 'lenient' });
    expect(r.value).toMatchObject({ type: 'registration' });
    expect(r.tolerated[0]?.detail).toMatch(/low 14 bits/);
  });
});

describe('Operation Error encoding', () => {
  it('keeps the last cause unpadded inside the parameter, as rsplib writes it', () => {
    const m: Message = { protocol: 'asap', type: 'error', operationError: { causes: [{ code: 0x0011, info: fromHex('000e0005 01') }] } };
    const b = encode(m);
    expect(toHex(b)).toBe('0e000014' + '000c000d' + '00110009' + '000e000501' + '000000');
    expect(decode(b, { protocol: 'asap' }).value).toEqual(m);
  });
});
