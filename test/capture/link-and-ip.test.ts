/**
 * Link layers, IPv4/IPv6 (options, extension headers, fragments) and UDP, on hand-built frames.
 */
import { describe, expect, it } from 'vitest';
import { LINKTYPE } from '../../src/capture/index.js';
import { decode, eventsOf, hex } from './decode-helpers.js';
import {
  concat,
  dataChunk,
  ethernet,
  ip6,
  ipv4,
  ipv6,
  ipv6Ext,
  ipv6Fragment,
  nullHeader,
  pcapFile,
  rsMessage,
  sctpPacket,
  sll,
  sll2,
  udp,
} from './frame-builders.js';

const ASAP = rsMessage(0x0a, 12);
const sctpAsap = (): Uint8Array => sctpPacket(5000, 3863, 0x11223344, [dataChunk({ tsn: 1, data: ASAP, ppid: 11 })]);
const v4Sctp = (): Uint8Array => ipv4({ protocol: 132, payload: sctpAsap() });
const v6Sctp = (): Uint8Array => ipv6(132, sctpAsap());

function onlyMessage(file: Uint8Array) {
  const d = decode(file);
  expect(d.error).toBeUndefined();
  expect(d.messages).toHaveLength(1);
  return d.messages[0]!;
}

describe('link layers', () => {
  it.each([
    ['Ethernet / IPv4', LINKTYPE.ethernet, () => ethernet(v4Sctp())],
    ['Ethernet / IPv6', LINKTYPE.ethernet, () => ethernet(v6Sctp(), 0x86dd)],
    ['802.1Q VLAN', LINKTYPE.ethernet, () => ethernet(v4Sctp(), 0x0800, [0x8100])],
    ['802.1ad QinQ (88A8 + 8100)', LINKTYPE.ethernet, () => ethernet(v6Sctp(), 0x86dd, [0x88a8, 0x8100])],
    ['old QinQ 9100', LINKTYPE.ethernet, () => ethernet(v4Sctp(), 0x0800, [0x9100])],
    ['Linux SLL', LINKTYPE.linuxSll, () => sll(v4Sctp())],
    ['Linux SLL / IPv6', LINKTYPE.linuxSll, () => sll(v6Sctp(), 0x86dd)],
    ['Linux SLL2', LINKTYPE.linuxSll2, () => sll2(v4Sctp())],
    ['Linux SLL2 / IPv6', LINKTYPE.linuxSll2, () => sll2(v6Sctp(), 0x86dd)],
    ['RAW IPv4', LINKTYPE.raw, () => v4Sctp()],
    ['RAW IPv6', LINKTYPE.raw, () => v6Sctp()],
    ['RAW (old value 12)', 12, () => v4Sctp()],
    ['RAW (old value 14)', 14, () => v6Sctp()],
    ['IPV4 (228)', LINKTYPE.ipv4, () => v4Sctp()],
    ['IPV6 (229)', LINKTYPE.ipv6, () => v6Sctp()],
    ['NULL, little-endian AF_INET', LINKTYPE.null, () => nullHeader(2, true, v4Sctp())],
    ['NULL, big-endian AF_INET', LINKTYPE.null, () => nullHeader(2, false, v4Sctp())],
    ['NULL, little-endian AF_INET6 (macOS 30)', LINKTYPE.null, () => nullHeader(30, true, v6Sctp())],
    ['NULL, big-endian AF_INET6 (FreeBSD 28)', LINKTYPE.null, () => nullHeader(28, false, v6Sctp())],
    ['NULL, AF_INET6 24 (NetBSD/OpenBSD)', LINKTYPE.null, () => nullHeader(24, true, v6Sctp())],
    ['NULL, AF_INET6 23 (Windows)', LINKTYPE.null, () => nullHeader(23, true, v6Sctp())],
    ['LOOP (network order)', LINKTYPE.loop, () => nullHeader(2, false, v4Sctp())],
  ])('%s', (_name, linkType, frame) => {
    const m = onlyMessage(pcapFile([{ data: frame() }], { linkType }));
    expect(m.protocol).toBe('asap');
    expect(hex(m.bytes)).toBe(hex(ASAP));
    expect(m.srcPort).toBe(5000);
    expect(m.dstPort).toBe(3863);
  });

  it('ignores the upper 16 bits of the pcap link type field (FCS information)', () => {
    onlyMessage(pcapFile([{ data: ethernet(v4Sctp()) }], { linkType: LINKTYPE.ethernet, upperLinkBits: 0x14000000 }));
  });

  it('skips non-IP frames, 802.3 frames and unknown link types with a reason', () => {
    const arp = ethernet(new Uint8Array(28), 0x0806);
    const llc = ethernet(new Uint8Array(40), 0x0030);
    const d = decode(pcapFile([{ data: arp }, { data: llc }]), { skipEvents: true });
    expect(d.summary!.skippedFrames['not-ip']).toBe(2);
    expect(eventsOf(d, 'skipped-frame').map((e) => e.detail)).toEqual(['EtherType 0x0806', '802.3 length field (LLC frame)']);
    const unknown = decode(pcapFile([{ data: v4Sctp() }], { linkType: 147 }));
    expect(unknown.summary!.skippedFrames['unsupported-link-type']).toBe(1);
    const loopOther = decode(pcapFile([{ data: nullHeader(7, true, v4Sctp()) }], { linkType: LINKTYPE.null }));
    expect(loopOther.summary!.skippedFrames['not-ip']).toBe(1);
  });

  it('reports frames too short for their link header as malformed', () => {
    const d = decode(pcapFile([{ data: new Uint8Array(10) }, { data: new Uint8Array(12) }], { linkType: LINKTYPE.linuxSll }));
    expect(d.summary!.malformed).toBe(2);
    expect(eventsOf(d, 'malformed').every((e) => e.layer === 'link')).toBe(true);
  });
});

describe('IPv4', () => {
  it('skips options using IHL', () => {
    const options = Uint8Array.of(0x94, 0x04, 0, 0, 0x01, 0x01, 0x01, 0x00); // Router Alert, NOPs, EOL
    const m = onlyMessage(pcapFile([{ data: ethernet(ipv4({ protocol: 132, payload: sctpAsap(), options })) }]));
    expect(hex(m.bytes)).toBe(hex(ASAP));
    expect(m.src).toBe('10.0.0.1');
    expect(m.dst).toBe('10.0.0.2');
  });

  it('bounds UDP by the IP total length, not the padded Ethernet frame', () => {
    const announce = rsMessage(0x0a, 8);
    const frame = ethernet(ipv4({ protocol: 17, payload: udp(3863, 3863, announce), dst: '239.0.0.50' }), 0x0800, [], 60);
    expect(frame.length).toBe(60);
    const m = onlyMessage(pcapFile([{ data: frame }]));
    expect(m.transport).toBe('udp');
    expect(hex(m.bytes)).toBe(hex(announce));
    expect(m.dst).toBe('239.0.0.50');
  });

  it('reassembles fragments by (src, dst, protocol, id), in any order', () => {
    const big = rsMessage(0x03, 1200, 0x5a);
    const packet = sctpPacket(9901, 9901, 0xabcdef01, [dataChunk({ tsn: 7, data: big, ppid: 12 })]);
    const cuts = [0, 480, 960, packet.length];
    const frags = [0, 1, 2].map((i) =>
      ethernet(ipv4({ protocol: 132, id: 77, fragOffset: cuts[i], more: i < 2, payload: packet.subarray(cuts[i], cuts[i + 1]) })),
    );
    // Another datagram with the same id but another protocol must not mix in.
    const other = ethernet(ipv4({ protocol: 17, id: 77, fragOffset: 480, more: true, payload: new Uint8Array(480).fill(1) }));
    const d = decode(pcapFile([{ data: frags[2]! }, { data: other }, { data: frags[0]! }, { data: frags[1]! }]));
    expect(d.messages).toHaveLength(1);
    const m = d.messages[0]!;
    expect(m.protocol).toBe('enrp');
    expect(hex(m.bytes)).toBe(hex(big));
    expect(m.frames).toEqual([1, 3, 4]);
    expect(m.checksumOk).toBe(true);
    const ev = eventsOf(d, 'ip-fragments');
    expect(ev.map((e) => e.outcome)).toEqual(['reassembled', 'incomplete']);
    expect(ev[1]!.frames).toEqual([2]);
    expect(d.summary!.ipFragments).toEqual({ fragments: 4, reassembled: 1, abandoned: 1, rejected: 0 });
  });

  it('refuses fragments reaching past 65535 octets', () => {
    const d = decode(pcapFile([{ data: ipv4({ protocol: 132, fragOffset: 65528, more: false, payload: new Uint8Array(16) }) }], { linkType: LINKTYPE.raw }));
    expect(eventsOf(d, 'ip-fragments')[0]!.outcome).toBe('rejected');
  });

  it('reports a total length beyond the frame as malformed, and one below the header too', () => {
    const long = ipv4({ protocol: 132, payload: sctpAsap(), totalLength: 500 });
    const short = ipv4({ protocol: 132, payload: sctpAsap(), totalLength: 12 });
    const d = decode(pcapFile([{ data: long }, { data: short }], { linkType: LINKTYPE.raw }));
    expect(d.messages).toHaveLength(0);
    expect(eventsOf(d, 'malformed').map((e) => e.layer)).toEqual(['ipv4', 'ipv4']);
  });

  it('skips other IP protocols', () => {
    const d = decode(pcapFile([{ data: ipv4({ protocol: 6, payload: new Uint8Array(20) }) }], { linkType: LINKTYPE.raw }));
    expect(d.summary!.skippedFrames['other-ip-protocol']).toBe(1);
  });
});

describe('IPv6', () => {
  it('walks Hop-by-Hop, Routing, Destination Options and AH headers', () => {
    const ah = concat(Uint8Array.of(132, 4, 0, 0), new Uint8Array(20)); // (4 + 2) * 4 = 24 octets
    const chain = concat(ipv6Ext(43), ipv6Ext(60, new Uint8Array(14)), ipv6Ext(51), ah, sctpAsap());
    const m = onlyMessage(pcapFile([{ data: ipv6(0, chain) }], { linkType: LINKTYPE.ipv6 }));
    expect(hex(m.bytes)).toBe(hex(ASAP));
    expect(m.src).toBe('2001:db8::1');
    expect(m.dst).toBe('2001:db8::2');
  });

  it('reassembles Fragment-header fragments, with extension headers before and after', () => {
    const big = rsMessage(0x06, 2000, 0x33);
    const packet = sctpPacket(3863, 40000, 0x01020304, [dataChunk({ tsn: 99, data: big, ppid: 11 })]);
    // Fragmentable part: a Destination Options header, then SCTP.
    const fragmentable = concat(ipv6Ext(132), packet);
    const half = 1008; // multiple of 8
    const f1 = ipv6(0, concat(ipv6Ext(44), ipv6Fragment(60, 0, true, 0xdeadbeef), fragmentable.subarray(0, half)));
    const f2 = ipv6(0, concat(ipv6Ext(44), ipv6Fragment(60, half, false, 0xdeadbeef), fragmentable.subarray(half)));
    const d = decode(pcapFile([{ data: ethernet(f2, 0x86dd) }, { data: ethernet(f1, 0x86dd) }]));
    expect(d.messages).toHaveLength(1);
    expect(hex(d.messages[0]!.bytes)).toBe(hex(big));
    expect(d.messages[0]!.frames).toEqual([1, 2]);
    expect(eventsOf(d, 'ip-fragments')[0]).toMatchObject({ outcome: 'reassembled', version: 6, id: 0xdeadbeef, src: '2001:db8::1' });
  });

  it('treats an atomic fragment as a whole packet', () => {
    const m = onlyMessage(pcapFile([{ data: ipv6(44, concat(ipv6Fragment(132, 0, false, 5), sctpAsap())) }], { linkType: LINKTYPE.ipv6 }));
    expect(hex(m.bytes)).toBe(hex(ASAP));
  });

  it('stops at No Next Header and ESP, and reports a header chain that overruns', () => {
    const d = decode(
      pcapFile(
        [{ data: ipv6(59, new Uint8Array(0)) }, { data: ipv6(50, new Uint8Array(16)) }, { data: ipv6(60, Uint8Array.of(132, 9, 0, 0)) }],
        { linkType: LINKTYPE.ipv6 },
      ),
    );
    expect(d.summary!.skippedFrames['no-next-header']).toBe(1);
    expect(d.summary!.skippedFrames.encrypted).toBe(1);
    expect(eventsOf(d, 'malformed')[0]!.layer).toBe('ipv6');
  });

  it('formats addresses per RFC 5952', () => {
    const mapped = new Uint8Array(16);
    mapped[10] = 0xff;
    mapped[11] = 0xff;
    mapped.set([192, 0, 2, 1], 12);
    const m = onlyMessage(pcapFile([{ data: ipv6(132, sctpAsap(), mapped, new Uint8Array(16)) }], { linkType: LINKTYPE.ipv6 }));
    expect(m.src).toBe('::ffff:192.0.2.1');
    expect(m.dst).toBe('::');
  });
});

describe('UDP', () => {
  it('takes port 3863 as ASAP and 9901 as ENRP, by destination first', () => {
    const presence = rsMessage(0x01, 24);
    const d = decode(
      pcapFile([
        { data: ethernet(ipv4({ protocol: 17, payload: udp(9901, 9901, presence), dst: '239.0.0.51' })) },
        { data: ethernet(ipv4({ protocol: 17, payload: udp(2001, 3863, ASAP) })) },
        { data: ethernet(ipv4({ protocol: 17, payload: udp(3863, 40000, ASAP) })) },
      ]),
    );
    expect(d.messages.map((m) => [m.protocol, m.transport, m.classifiedBy])).toEqual([
      ['enrp', 'udp', 'port'],
      ['asap', 'udp', 'port'],
      ['asap', 'udp', 'port'],
    ]);
    expect(d.messages[0]!.association).toBeUndefined();
    expect(d.messages[0]!.checksumOk).toBeUndefined();
  });

  it('skips the Component Status Protocol (2960) and other ports with distinct reasons', () => {
    const d = decode(
      pcapFile([
        { data: ethernet(ipv4({ protocol: 17, payload: udp(40000, 2960, new Uint8Array(40)) })) },
        { data: ethernet(ipv4({ protocol: 17, payload: udp(53, 40000, new Uint8Array(40)) })) },
      ]),
    );
    expect(d.summary!.skippedFrames['component-status-protocol']).toBe(1);
    expect(d.summary!.skippedFrames['udp-other-port']).toBe(1);
  });

  it('reports UDP lengths that contradict the IP payload', () => {
    const bad = udp(3863, 3863, ASAP);
    bad[5] = 200; // length 200 > payload
    const tiny = udp(3863, 3863, ASAP);
    tiny[4] = 0;
    tiny[5] = 4;
    const d = decode(pcapFile([{ data: ipv4({ protocol: 17, payload: bad }) }, { data: ipv4({ protocol: 17, payload: tiny }) }], { linkType: LINKTYPE.raw }));
    expect(d.messages).toHaveLength(0);
    expect(eventsOf(d, 'malformed').map((e) => e.layer)).toEqual(['udp', 'udp']);
  });

  it('decodes SCTP over UDP on 9899 and on extra configured ports (RFC 6951)', () => {
    const sctp = sctpPacket(4000, 9901, 0x55667788, [dataChunk({ tsn: 1, data: rsMessage(0x04, 16), ppid: 12 })]);
    const frames = [{ data: ethernet(ipv4({ protocol: 17, payload: udp(9899, 9899, sctp) })) }, { data: ethernet(ipv4({ protocol: 17, payload: udp(5555, 6666, sctp) })) }];
    const plain = decode(pcapFile(frames));
    expect(plain.messages).toHaveLength(1);
    expect(plain.messages[0]).toMatchObject({ transport: 'sctp-over-udp', srcPort: 4000, dstPort: 9901, encapsulation: { srcPort: 9899, dstPort: 9899 }, protocol: 'enrp', checksumOk: true });
    const extra = decode(pcapFile(frames), { sctpOverUdpPorts: [6666] });
    expect(extra.messages).toHaveLength(1); // the second copy is the same TSN on the same association: a retransmission
    expect(extra.summary!.duplicateChunks).toBe(1);
    expect(extra.summary!.transports['sctp-over-udp']).toBe(1);
  });
});
