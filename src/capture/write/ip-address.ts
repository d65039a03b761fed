/**
 * IP addresses from their text form, for the packet writers. The writer does not depend on the
 * codecs (as the reader does not), so it carries its own small parser.
 */

/** An IPv4 or IPv6 address: its text as given and its network-order octets. */
export interface IpAddress {
  readonly version: 4 | 6;
  readonly text: string;
  /** 4 or 16 octets. */
  readonly bytes: Uint8Array;
}

/** Parses dotted-quad IPv4 or RFC 4291 IPv6 text (`::` and a trailing dotted quad allowed). */
export function parseIpAddress(text: string): IpAddress {
  const v4 = parseIpv4(text);
  if (v4) return { version: 4, text, bytes: v4 };
  const v6 = parseIpv6(text);
  if (v6) return { version: 6, text, bytes: v6 };
  throw new RangeError(`not an IPv4 or IPv6 address: ${JSON.stringify(text)}`);
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    // Decimal only, no leading zeros (some stacks would read them as octal).
    if (!/^(0|[1-9][0-9]{0,2})$/.test(parts[i]!)) return undefined;
    const n = Number(parts[i]);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | undefined {
  if (!text.includes(':')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) {
        out.push(parseInt(p, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  // Without `::` all eight groups are needed; with it, it must stand for at least one group.
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >>> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** True for IPv4 224.0.0.0/4 and IPv6 ff00::/8. */
export function isMulticast(a: IpAddress): boolean {
  return a.version === 4 ? (a.bytes[0]! & 0xf0) === 0xe0 : a.bytes[0] === 0xff;
}
