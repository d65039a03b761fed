/**
 * The State Cookie (RFC 9260 §5.1.3): everything the server needs to build the association,
 * carried by the peer from INIT ACK to COOKIE ECHO, so that the server keeps no state before the
 * peer proved it can receive at its address. Signed with HMAC-SHA256 under a secret key; checked
 * for integrity and age on return (RFC 9260 §5.1.5).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { encodeTlvs, parseTlvs, type Tlv } from './chunks.js';

/** What the cookie remembers. */
export interface CookieState {
  /** Our verification tag (the Initiate Tag of the INIT ACK). */
  readonly myTag: number;
  /** The peer's verification tag (Initiate Tag of its INIT). */
  readonly peerTag: number;
  readonly myInitialTsn: number;
  readonly peerInitialTsn: number;
  readonly peerRwnd: number;
  /** Negotiated streams we send on / accept. */
  readonly outboundStreams: number;
  readonly inboundStreams: number;
  /** Tie-tags of an association that existed when the INIT arrived (RFC 9260 §5.2.2), else 0. */
  readonly localTieTag: number;
  readonly peerTieTag: number;
  /** Creation time, ms on the endpoint's clock. */
  readonly created: number;
  /** Lifetime, ms. */
  readonly lifetime: number;
  readonly localPort: number;
  readonly remotePort: number;
  /** Address parameters of the peer's INIT (recorded, not used as paths). */
  readonly peerAddressParams: readonly Tlv[];
}

const FIXED = 48;
const MAC = 32;

function mac(secret: Uint8Array, data: Uint8Array): Uint8Array {
  return createHmac('sha256', secret).update(data).digest();
}

/** Serialises and signs a cookie. */
export function encodeCookie(secret: Uint8Array, s: CookieState): Uint8Array {
  const params = encodeTlvs(s.peerAddressParams);
  const out = new Uint8Array(FIXED + params.length + MAC);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, s.myTag >>> 0);
  dv.setUint32(4, s.peerTag >>> 0);
  dv.setUint32(8, s.myInitialTsn >>> 0);
  dv.setUint32(12, s.peerInitialTsn >>> 0);
  dv.setUint32(16, s.peerRwnd >>> 0);
  dv.setUint16(20, s.outboundStreams);
  dv.setUint16(22, s.inboundStreams);
  dv.setUint32(24, s.localTieTag >>> 0);
  dv.setUint32(28, s.peerTieTag >>> 0);
  dv.setFloat64(32, s.created);
  dv.setUint32(40, s.lifetime >>> 0);
  dv.setUint16(44, s.localPort);
  dv.setUint16(46, s.remotePort);
  out.set(params, FIXED);
  out.set(mac(secret, out.subarray(0, FIXED + params.length)), FIXED + params.length);
  return out;
}

/** Checks the signature and decodes; `undefined` when the cookie was not made by us or is damaged. */
export function decodeCookie(secret: Uint8Array, bytes: Uint8Array): CookieState | undefined {
  if (bytes.length < FIXED + MAC) return undefined;
  const body = bytes.subarray(0, bytes.length - MAC);
  const expected = mac(secret, body);
  if (!timingSafeEqual(expected, bytes.subarray(bytes.length - MAC))) return undefined;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let peerAddressParams: Tlv[];
  try {
    peerAddressParams = parseTlvs(body.subarray(FIXED));
  } catch {
    return undefined;
  }
  return {
    myTag: dv.getUint32(0),
    peerTag: dv.getUint32(4),
    myInitialTsn: dv.getUint32(8),
    peerInitialTsn: dv.getUint32(12),
    peerRwnd: dv.getUint32(16),
    outboundStreams: dv.getUint16(20),
    inboundStreams: dv.getUint16(22),
    localTieTag: dv.getUint32(24),
    peerTieTag: dv.getUint32(28),
    created: dv.getFloat64(32),
    lifetime: dv.getUint32(40),
    localPort: dv.getUint16(44),
    remotePort: dv.getUint16(46),
    peerAddressParams,
  };
}
