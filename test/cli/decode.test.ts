/** `rserpool-harness decode --hex`: documented values for a digest vector, DecodeErrors with exit 1, usage with exit 2. */
import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';

const REG = '0100003c0009000f43616c63417070506f6f6c00000a00285562e91700000000000dbba000040010e601000100010008 0affff0100080008 00000001';
const PRESENCE = '0100002c 00000001 00000002 000f0006 84900000 000b0018 00000001 00040010 27110000 00010008 0affff01';

describe('rserpool-harness decode', () => {
  it('prints a digest vector as JSON with the documented values', () => {
    const r = cli('decode', '--hex', REG, '--protocol', 'asap', '--format', 'json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.profile).toBe('rfc');
    expect(out.message).toMatchObject({
      protocol: 'asap',
      type: 'registration',
      poolHandle: '43616c63417070506f6f6c',
      poolHandleText: 'CalcAppPool',
      poolElement: {
        peId: 0x5562e917,
        homeRegistrarId: 0,
        registrationLife: 900000,
        userTransport: { transport: 'sctp', port: 58881, transportUse: 'dataPlusControl', addresses: [{ family: 'ipv4', address: '10.255.255.1' }] },
        policy: { name: 'roundRobin' },
      },
    });
  });

  it('decodes ENRP when told, and text output names the fields', () => {
    const r = cli('decode', '--hex', PRESENCE, '--protocol', 'enrp');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ENRP presence \(44 octets, rfc numbering\)/);
    expect(r.stdout).toMatch(/peChecksum: 33936 \(0x8490\)/);
  });

  it('a truncated vector prints a DecodeError with code, offset and path, and exits 1', () => {
    const r = cli('decode', '--hex', REG.replace(/ /g, '').slice(0, -8), '--protocol', 'asap', '--format', 'json');
    expect(r.status).toBe(1);
    const { error } = JSON.parse(r.stdout);
    expect(error).toMatchObject({ name: 'DecodeError', code: 'RSP_ERR_INCOMPLETE', offset: 2, path: 'registration', needed: 60 });
  });

  it('a corrupted vector (transport use 2) prints code, offset, path and both causes in text, and exits 1', () => {
    const bad = REG.replace(/ /g, '').replace('e6010001', 'e6010002');
    const r = cli('decode', '--hex', bad, '--protocol', 'asap');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('DecodeError RSP_ERR_VALUE_OUT_OF_RANGE');
    expect(r.stderr).toContain('offset: 42');
    expect(r.stderr).toContain('path:   registration.poolElement.userTransport.transportUse');
    expect(r.stderr).toMatch(/cause a registrar sends back \(RFC 5354\): 0x0003 \(invalidValues\)/);
    expect(r.stderr).toMatch(/cause rsplib 3.x would send: 0x0011 \(rsplib:invalidValue\)/);
  });

  it('usage errors exit 2; --help explains the command', () => {
    expect(cli('decode', '--hex', 'zz', '--protocol', 'asap').status).toBe(2);
    expect(cli('decode', '--hex', '00').status).toBe(2);
    const help = cli('decode', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--protocol/);
    expect(help.stdout).toMatch(/Exit status/);
    expect(cli('--help').stdout).toMatch(/RFC 5352/);
  });
});
