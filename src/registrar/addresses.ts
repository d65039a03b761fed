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
  const s = a.address.toLowerCase();
  if (s === '::1') return 'loopback';
  if (s === '::' || s.startsWith('ff')) return 'invalid';
  if (/^fe[89ab]/.test(s)) return 'linkLocal';
  if (/^f[cd]/.test(s) || /^fe[c-f]/.test(s)) return 'siteLocal';
  return 'global';
}

/** Whether `a` is at least as wide as the configured minimum scope. */
export function scopeAllowed(a: Address, min: AddressScope): boolean {
  return RANK[scopeOf(a)] >= RANK[min];
}

/** Same address (port ignored), by family and canonical text. */
export function sameAddress(a: Address, b: Address): boolean {
  return a.family === b.family && a.address.toLowerCase() === b.address.toLowerCase();
}
