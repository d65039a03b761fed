/**
 * What the IPv4 and IPv6 parsers report about one packet.
 */

/** Why a frame carries nothing the reader decodes (summary counters use the same names). */
export type IpSkipReason = 'malformed' | 'other-ip-protocol' | 'no-next-header' | 'encrypted';

/** Result of parsing one IP header chain. Byte arrays point into the frame. */
export type IpResult =
  | {
      readonly kind: 'packet';
      readonly version: 4 | 6;
      readonly src: Uint8Array;
      readonly dst: Uint8Array;
      /** Transport protocol (17 UDP, 132 SCTP, or another for a skip decision upstream). */
      readonly protocol: number;
      readonly payload: Uint8Array;
      /** The IP length fields promise more octets than the frame holds. */
      readonly truncated: boolean;
    }
  | {
      readonly kind: 'fragment';
      readonly version: 4 | 6;
      readonly src: Uint8Array;
      readonly dst: Uint8Array;
      /** IPv4: 16-bit Identification; IPv6: 32-bit Fragment header Identification. */
      readonly id: number;
      /** IPv4: the protocol field; IPv6: Next Header of the Fragment header (valid in the first fragment). */
      readonly protocol: number;
      /** Octet offset of this fragment's data in the original payload. */
      readonly offset: number;
      readonly more: boolean;
      readonly payload: Uint8Array;
      readonly truncated: boolean;
    }
  | { readonly kind: 'skip'; readonly reason: IpSkipReason; readonly detail: string };
