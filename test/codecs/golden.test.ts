/**
 * Golden vectors: every hex example of the spec digest (wire-format §10) decodes to the documented
 * values and re-encodes to the same octets.
 */
import { describe, expect, it } from 'vitest';
import { decode, encode, encodingLength, type Message, type Protocol } from '../../codecs/index.js';
import { fromHex, text, toHex } from '../support/hex.js';

const CALC = text('CalcAppPool');
const calcPe = {
  peId: 0x5562e917,
  registrationLife: 900000,
  userTransport: { transport: 'sctp', port: 58881, transportUse: 'dataPlusControl', addresses: [{ family: 'ipv4', address: '10.255.255.1' }] },
  policy: { name: 'roundRobin' },
};

interface Vector {
  readonly name: string;
  readonly protocol: Protocol;
  readonly hex: string;
  readonly profile: 'rfc' | 'legacy';
  readonly expected: Message;
}

const VECTORS: Vector[] = [
  {
    name: 'ASAP Registration (60 octets)',
    protocol: 'asap',
    profile: 'rfc',
    hex: '0100003c 0009000f 43616c63 41707050 6f6f6c00 000a0028 5562e917 00000000 000dbba0 00040010 e6010001 00010008 0affff01 00080008 00000001',
    expected: { protocol: 'asap', type: 'registration', poolHandle: CALC, poolElement: { ...calcPe, homeRegistrarId: 0 } } as Message,
  },
  {
    name: 'ASAP Registration Response, rejected, cause 0x0005 without policy TLV',
    protocol: 'asap',
    profile: 'rfc',
    hex: '03010024 0009000f 43616c63 41707050 6f6f6c00 000e0008 12345678 000c0008 00050004',
    expected: {
      protocol: 'asap',
      type: 'registrationResponse',
      flags: { R: true },
      poolHandle: CALC,
      peId: 0x12345678,
      operationError: { causes: [{ code: 5, info: new Uint8Array(0) }] },
    },
  },
  {
    name: 'ASAP Handle Resolution with Items = 5',
    protocol: 'asap',
    profile: 'rfc',
    hex: '0500001c 0009000f 43616c63 41707050 6f6f6c00 803f0008 00000005',
    expected: { protocol: 'asap', type: 'handleResolution', poolHandle: CALC, items: 5 },
  },
  {
    name: 'ENRP Presence with checksum 0x8490',
    protocol: 'enrp',
    profile: 'rfc',
    hex: '0100002c 00000001 00000002 000f0006 84900000 000b0018 00000001 00040010 27110000 00010008 0affff01',
    expected: {
      protocol: 'enrp',
      type: 'presence',
      flags: { R: false },
      senderId: 1,
      receiverId: 2,
      peChecksum: 0x8490,
      serverInformation: {
        serverId: 1,
        transport: { transport: 'sctp', port: 10001, transportUse: 'dataOnly', addresses: [{ family: 'ipv4', address: '10.255.255.1' }] },
      },
    },
  },
  {
    name: 'ENRP Handle Update ADD_PE with ASAP transport',
    protocol: 'enrp',
    profile: 'rfc',
    hex:
      '04000058 00000001 00000002 00000000 0009000f 43616c63 41707050 6f6f6c00 000a0038 5562e917 00000001 000dbba0 00040010 e6010001 00010008 0affff01 ' +
      '00080008 00000001 00040010 854f0000 00010008 0affff01',
    expected: {
      protocol: 'enrp',
      type: 'handleUpdate',
      flags: { T: false },
      senderId: 1,
      receiverId: 2,
      updateAction: 0,
      poolHandle: CALC,
      poolElement: {
        ...calcPe,
        homeRegistrarId: 1,
        asapTransport: { transport: 'sctp', port: 34127, transportUse: 'dataOnly', addresses: [{ family: 'ipv4', address: '10.255.255.1' }] },
      },
    } as Message,
  },
  {
    name: 'legacy ASAP Keep-Alive, H=0',
    protocol: 'asap',
    profile: 'legacy',
    hex: '07000020 00000001 0007000f 43616c63 41707050 6f6f6c00 000c0008 5562e917',
    expected: { protocol: 'asap', profile: 'legacy', type: 'endpointKeepAlive', flags: { H: false }, serverId: 1, poolHandle: CALC, peId: 0x5562e917 },
  },
  {
    name: 'legacy ASAP Keep-Alive, H=1',
    protocol: 'asap',
    profile: 'legacy',
    hex: '07010020 00000002 0007000f 43616c63 41707050 6f6f6c00 000c0008 5562e917',
    expected: { protocol: 'asap', profile: 'legacy', type: 'endpointKeepAlive', flags: { H: true }, serverId: 2, poolHandle: CALC, peId: 0x5562e917 },
  },
  {
    name: 'legacy ASAP Handle Resolution',
    protocol: 'asap',
    profile: 'legacy',
    hex: '05000014 0007000f 43616c63 41707050 6f6f6c00',
    expected: { protocol: 'asap', profile: 'legacy', type: 'handleResolution', poolHandle: CALC },
  },
  {
    name: 'ENRP Init Takeover (same bytes in both numberings)',
    protocol: 'enrp',
    profile: 'rfc',
    hex: '07000010 00000002 00000003 00000001',
    expected: { protocol: 'enrp', type: 'initTakeover', senderId: 2, receiverId: 3, targetId: 1 },
  },
  {
    name: 'ENRP Handle Table Request',
    protocol: 'enrp',
    profile: 'rfc',
    hex: '0200000c 00000001 00000002',
    expected: { protocol: 'enrp', type: 'handleTableRequest', flags: { W: false }, senderId: 1, receiverId: 2 },
  },
  {
    name: 'ENRP Handle Table Response, empty, M=0',
    protocol: 'enrp',
    profile: 'rfc',
    hex: '0300000c 00000002 00000001',
    expected: { protocol: 'enrp', type: 'handleTableResponse', flags: { R: false, M: false }, senderId: 2, receiverId: 1, pools: [] },
  },
  {
    name: 'legacy ENRP List Response with two servers',
    protocol: 'enrp',
    profile: 'legacy',
    hex:
      '06000044 00000002 00000001 0009001c 00000001 00000000 00030010 27110000 00010008 0affff01 0009001c 00000003 00000000 00030010 27130000 ' +
      '00010008 0affff01',
    expected: {
      protocol: 'enrp',
      profile: 'legacy',
      type: 'listResponse',
      flags: { R: false },
      senderId: 2,
      receiverId: 1,
      servers: [1, 3].map((id) => ({
        serverId: id,
        legacyFlags: new Uint8Array(4),
        transport: { transport: 'sctp' as const, port: 10000 + id, transportUse: 'dataOnly' as const, addresses: [{ family: 'ipv4' as const, address: '10.255.255.1' }] },
      })),
    },
  },
];

describe('golden vectors (wire-format §10)', () => {
  for (const v of VECTORS) {
    it(`${v.name}: decodes to the documented values`, () => {
      const bytes = fromHex(v.hex);
      const r = decode(bytes, { protocol: v.protocol, profile: v.profile });
      expect(r.value).toEqual(v.expected);
      expect(r.bytesRead).toBe(bytes.length);
      expect(r.tolerated).toEqual([]);
    });
    it(`${v.name}: re-encodes to the same octets`, () => {
      const bytes = fromHex(v.hex);
      expect(toHex(encode(v.expected))).toBe(toHex(bytes));
      expect(encodingLength(v.expected)).toBe(bytes.length);
    });
    it(`${v.name}: auto profile picks ${v.profile}`, () => {
      expect(decode(fromHex(v.hex), { protocol: v.protocol, profile: 'auto' }).profile).toBe(v.profile);
    });
  }

  it('the legacy examples do not decode with RFC numbering', () => {
    for (const v of VECTORS.filter((x) => x.profile === 'legacy')) {
      expect(() => decode(fromHex(v.hex), { protocol: v.protocol, profile: 'rfc' })).toThrow(/RSP_ERR_/);
    }
  });

  it('the Presence checksum TLV is Length 6 with 2 octets of padding (digest trap #4)', () => {
    const bytes = encode(VECTORS[3]!.expected);
    expect(toHex(bytes.subarray(12, 20))).toBe('000f000684900000');
  });
});
