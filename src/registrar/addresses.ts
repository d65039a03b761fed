/**
 * Address scopes and the association checks of REG-8.
 */
import type { Address } from '../../codecs/types.js';
import type { AddressScope } from './config.js';

/** Scope of an address, narrowest first. `invalid` covers unspecified and multicast. */
export type Scope = 'invalid' | 'loopback' | 'linkLocal' | 'siteLocal' | 'global';

const RANK: Readonly<Record<Scope, number>> = { invalid: 0, loopback: 1, linkLocal: 2, siteLocal: 3, global: 4 };

/** The scope of an IPv4 or IPv6 address given in text. */
export function scopeOf(a: Address): Scope {
  if (a.family === 'ipv4') {
    const o = a.address.split('.').map(Number);
    const [x = 0, y = 0] = o;
    if (x === 0 || x >= 224) return 'invalid';
    if (x === 127) return 'loopback';
    if (x === 169 && y === 254) return 'linkLocal';
    if (x === 10 || (x === 172 && y >= 16 && y < 32) || (x === 192 && y === 168)) return 'siteLocal';
    return 'global';
  }
  // Judged on the expanded form: `0:0:0:0:0:0:0:1` is as much loopback as `::1` (REG-8).
  const s = expandIpv6(a.address) ?? a.address.toLowerCase();
  if (s === '0000:0000:0000:0000:0000:0000:0000:0001') return 'loopback';
  if (s === '0000:0000:0000:0000:0000:0000:0000:0000' || s.startsWith('ff')) return 'invalid';
  if (/^fe[89ab]/.test(s)) return 'linkLocal';
  if (/^f[cd]/.test(s) || /^fe[c-f]/.test(s)) return 'siteLocal';
  return 'global';
}

/**
 * An IPv6 address in text as eight groups of four lower-case hex digits, or undefined when the
 * text is not an IPv6 address. Texts of one address differ (`fec0::1`, `fec0:0:0:0:0:0:0:1`,
 * `::ffff:10.0.0.1`): the codecs write the compressed form, the SCTP stack the full one, and REG-8
 * compares addresses from both.
 */
export function expandIpv6(text: string): string | undefined {
  let t = text.toLowerCase();
  const pct = t.indexOf('%');
  if (pct >= 0) t = t.slice(0, pct);
  // A dotted IPv4 tail (`::ffff:10.0.0.1`) is the last two groups.
  const v4 = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(t);
  if (v4 !== null) {
    const o = v4.slice(2, 6).map(Number);
    if (o.some((x) => x > 255)) return undefined;
    t = `${v4[1]}${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const halves = t.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): string[] => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return all.map((g) => g.padStart(4, '0')).join(':');
}

/** Whether `a` is at least as wide as the configured minimum scope. */
export function scopeAllowed(a: Address, min: AddressScope): boolean {
  return RANK[scopeOf(a)] >= RANK[min];
}

/**
 * Same address (port ignored), by family and value (REG-8): IPv6 compares expanded, so the SCTP
 * stack's `fec0:0:0:0:5054:ff:fe12:3456` from an INIT matches the PE's registered
 * `fec0::5054:ff:fe12:3456`.
 */
export function sameAddress(a: Address, b: Address): boolean {
  if (a.family !== b.family) return false;
  if (a.family === 'ipv6') return (expandIpv6(a.address) ?? a.address.toLowerCase()) === (expandIpv6(b.address) ?? b.address.toLowerCase());
  return a.address.toLowerCase() === b.address.toLowerCase();
}
