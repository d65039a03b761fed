/**
 * Link layers the reader can peel (transports.md §5.3): which header to strip and how the
 * network-layer protocol is announced.
 */
import { u16be, u32be, u32le } from './bytes.js';

/** LINKTYPE_* values (tcpdump.org link-layer header types; transports.md §5.3). */
export const LINKTYPE = Object.freeze({
  null: 0,
  ethernet: 1,
  rawOld12: 12,
  rawOld14: 14,
  raw: 101,
  loop: 108,
  linuxSll: 113,
  ipv4: 228,
  ipv6: 229,
  linuxSll2: 276,
} as const);

/** EtherTypes the reader follows (IEEE registry; transports.md §5.3). */
export const ETHERTYPE = Object.freeze({
  ipv4: 0x0800,
  ipv6: 0x86dd,
  vlan: 0x8100,
  qinq: 0x88a8,
  qinqOld: 0x9100,
  /** Values up to this one are an IEEE 802.3 length field, not a type. */
  maxLength: 0x05dc,
} as const);

/**
 * Address families in the 4-octet NULL/LOOP header (transports.md §5.3): 2 is IPv4 everywhere;
 * IPv6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS) and 23 (Windows/Npcap).
 */
export const LOOPBACK_FAMILY = Object.freeze({
  ipv4: Object.freeze([2] as const),
  ipv6: Object.freeze([23, 24, 28, 30] as const),
});

/** Where the IP packet starts in a frame, or why there is none. */
export type LinkResult =
  | { readonly ok: true; readonly version: 4 | 6; readonly offset: number }
  | { readonly ok: false; readonly reason: 'unsupported-link-type' | 'not-ip' | 'malformed'; readonly detail: string };

const SLL_HEADER = 16;
const SLL2_HEADER = 20;

/** Strips the link-layer header of a frame of the given link type. */
export function stripLinkLayer(linkType: number, frame: Uint8Array): LinkResult {
  switch (linkType) {
    case LINKTYPE.ethernet:
      if (frame.length < 14) return malformed('Ethernet header cut short');
      return afterEtherType(frame, 12);
    case LINKTYPE.linuxSll:
      if (frame.length < SLL_HEADER) return malformed('Linux cooked (SLL) header cut short');
      return afterEtherType(frame, 14);
    case LINKTYPE.linuxSll2:
      if (frame.length < SLL2_HEADER) return malformed('Linux cooked v2 (SLL2) header cut short');
      return etherTypeAt(frame, 0, SLL2_HEADER);
    case LINKTYPE.raw:
    case LINKTYPE.rawOld12:
    case LINKTYPE.rawOld14:
      return byVersionNibble(frame, 0);
    case LINKTYPE.ipv4:
      return { ok: true, version: 4, offset: 0 };
    case LINKTYPE.ipv6:
      return { ok: true, version: 6, offset: 0 };
    case LINKTYPE.null:
      return loopbackFamily(frame, true);
    case LINKTYPE.loop:
      return loopbackFamily(frame, false);
    default:
      return { ok: false, reason: 'unsupported-link-type', detail: `link type ${linkType}` };
  }
}

/** Reads the EtherType at `typeOffset`, steps over VLAN tags, and reports the IP version. */
function afterEtherType(frame: Uint8Array, typeOffset: number): LinkResult {
  return etherTypeAt(frame, typeOffset, typeOffset + 2);
}

function etherTypeAt(frame: Uint8Array, typeOffset: number, payloadOffset: number): LinkResult {
  let type = u16be(frame, typeOffset);
  let offset = payloadOffset;
  // Each 802.1Q / 802.1ad tag is 4 octets: TCI, then the EtherType of what follows.
  while (type === ETHERTYPE.vlan || type === ETHERTYPE.qinq || type === ETHERTYPE.qinqOld) {
    if (frame.length < offset + 4) return malformed('VLAN tag cut short');
    type = u16be(frame, offset + 2);
    offset += 4;
  }
  if (type === ETHERTYPE.ipv4) return { ok: true, version: 4, offset };
  if (type === ETHERTYPE.ipv6) return { ok: true, version: 6, offset };
  if (type <= ETHERTYPE.maxLength) return { ok: false, reason: 'not-ip', detail: '802.3 length field (LLC frame)' };
  return { ok: false, reason: 'not-ip', detail: `EtherType 0x${type.toString(16).padStart(4, '0')}` };
}

function byVersionNibble(frame: Uint8Array, offset: number): LinkResult {
  if (frame.length <= offset) return malformed('empty raw IP frame');
  const version = frame[offset]! >> 4;
  if (version === 4 || version === 6) return { ok: true, version, offset };
  return { ok: false, reason: 'not-ip', detail: `IP version nibble ${version}` };
}

/**
 * NULL (host byte order of the capturing machine, unknown to us: try both) and LOOP (network
 * byte order) carry a 4-octet address family.
 */
function loopbackFamily(frame: Uint8Array, eitherOrder: boolean): LinkResult {
  if (frame.length < 4) return malformed('loopback header cut short');
  const candidates = eitherOrder ? [u32le(frame, 0), u32be(frame, 0)] : [u32be(frame, 0)];
  for (const family of candidates) {
    if ((LOOPBACK_FAMILY.ipv4 as readonly number[]).includes(family)) return { ok: true, version: 4, offset: 4 };
    if ((LOOPBACK_FAMILY.ipv6 as readonly number[]).includes(family)) return { ok: true, version: 6, offset: 4 };
  }
  return { ok: false, reason: 'not-ip', detail: `address family ${candidates[0]}` };
}

function malformed(detail: string): LinkResult {
  return { ok: false, reason: 'malformed', detail };
}
