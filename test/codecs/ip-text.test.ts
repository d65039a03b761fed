/** Address text ↔ octets: canonical RFC 5952 output, strict input. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipv4FromText, ipv4ToText, ipv6FromText, ipv6ToText } from '../../codecs/ip-text.js';
import { runs } from '../support/fc.js';

describe('address text', () => {
  it('IPv4 octets → text → octets is the identity', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (b) => {
      expect(ipv4FromText(ipv4ToText(b))).toEqual(b);
    }), runs(1000));
  });
  it('IPv6 octets → text → octets is the identity', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) => {
      expect(ipv6FromText(ipv6ToText(b))).toEqual(b);
    }), runs(1000));
  });
  it('IPv6 text is RFC 5952 canonical', () => {
    const t = (s: string) => ipv6ToText(ipv6FromText(s)!);
    expect(t('2001:0DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(t('1:0:0:2:0:0:0:3')).toBe('1:0:0:2::3');
    expect(t('1:0:0:2:0:0:3:4')).toBe('1::2:0:0:3:4');
    expect(t('1:0:2:3:4:5:6:7')).toBe('1:0:2:3:4:5:6:7');
    expect(t('::ffff:10.1.2.3')).toBe('::ffff:10.1.2.3');
    expect(t('::')).toBe('::');
  });
  it('rejects malformed text', () => {
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1..2.3', 'a.b.c.d', '1.2.3.4 ']) expect(ipv4FromText(bad)).toBeNull();
    for (const bad of ['', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'g::', '1:2:3:4:5:6:7', '::1.2.3']) expect(ipv6FromText(bad)).toBeNull();
  });
});
