/**
 * REG-8 address comparison by value: the SCTP stack reports an INIT's IPv6 addresses in full
 * (`fec0:0:0:0:5054:ff:fe12:3456`), the codecs decode a PE's user transport compressed
 * (`fec0::5054:ff:fe12:3456`). Seen in the rsplib interop session: our networked registrar dropped
 * the rspserver PEs' site-local IPv6 address although it was one of the association's addresses.
 */
import { describe, expect, it } from 'vitest';
import { expandIpv6, sameAddress, scopeOf } from '../../src/registrar/addresses.js';
import { asap, only, registration, rig, sent } from './helpers.js';

const v6 = (address: string) => ({ family: 'ipv6', address }) as const;
const v4 = (address: string) => ({ family: 'ipv4', address }) as const;

describe('REG-8 address comparison', () => {
  it('expands IPv6 text forms to one canonical form', () => {
    expect(expandIpv6('fec0::5054:ff:fe12:3456')).toBe('fec0:0000:0000:0000:5054:00ff:fe12:3456');
    expect(expandIpv6('FEC0:0:0:0:5054:FF:FE12:3456')).toBe('fec0:0000:0000:0000:5054:00ff:fe12:3456');
    expect(expandIpv6('::1')).toBe('0000:0000:0000:0000:0000:0000:0000:0001');
    expect(expandIpv6('::')).toBe('0000:0000:0000:0000:0000:0000:0000:0000');
    expect(expandIpv6('::ffff:10.0.0.1')).toBe('0000:0000:0000:0000:0000:ffff:0a00:0001');
    expect(expandIpv6('fe80::1%eth0')).toBe('fe80:0000:0000:0000:0000:0000:0000:0001');
    expect(expandIpv6('1::2::3')).toBeUndefined();
    expect(expandIpv6('1:2:3')).toBeUndefined();
    expect(expandIpv6('10.0.0.1')).toBeUndefined();
  });

  it('compares by value, not by text', () => {
    expect(sameAddress(v6('fec0:0:0:0:5054:ff:fe12:3456'), v6('fec0::5054:ff:fe12:3456'))).toBe(true);
    expect(sameAddress(v6('fec0::1'), v6('fec0::2'))).toBe(false);
    expect(sameAddress(v4('10.0.2.15'), v4('10.0.2.15'))).toBe(true);
    expect(sameAddress(v4('10.0.2.15'), v6('::ffff:10.0.2.15'))).toBe(false);
  });

  it('scopes full-form IPv6 like the compressed form', () => {
    expect(scopeOf(v6('0:0:0:0:0:0:0:1'))).toBe('loopback');
    expect(scopeOf(v6('0:0:0:0:0:0:0:0'))).toBe('invalid');
    expect(scopeOf(v6('fec0:0:0:0:5054:ff:fe12:3456'))).toBe('siteLocal');
    expect(scopeOf(v6('fe80:0:0:0:0:0:0:1'))).toBe('linkLocal');
    expect(scopeOf(v6('2001:db8::1'))).toBe('global');
  });

  it('REG-8: keeps a PE address the association lists in full form (siteLocal minimum)', () => {
    const rg = rig('rfc', { minAddressScope: 'siteLocal' });
    rg.r.handle({ kind: 'associationUp', association: 1, protocol: 'asap', peerAddresses: [v4('127.0.0.1'), v4('10.0.2.15'), v6('fec0:0:0:0:5054:ff:fe12:3456')], peerPort: 40001 });
    const addresses = [v4('10.0.2.15'), v6('fec0::5054:ff:fe12:3456')];
    const answer = only(sent(asap(rg, 1, registration(7, { userTransport: { transport: 'sctp', port: 7, transportUse: 'dataOnly', addresses } }))), 'registrationResponse')[0];
    expect(answer?.flags.R).toBe(false);
    const pe = rg.r.handlespace.find(new TextEncoder().encode('EchoPool'), 7);
    expect(pe?.userTransport.addresses.map((a) => a.address)).toEqual(['10.0.2.15', 'fec0::5054:ff:fe12:3456']);
  });
});
