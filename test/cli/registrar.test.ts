/** The networked registrar's ENRP identity: the Server Information it sends must encode (PP-5). */
import { describe, expect, it } from 'vitest';
import { serverInformationParameter } from '../../codecs/index.js';
import { enrpTransportFor } from '../../src/cli/registrar.js';

describe('registrar --enrp', () => {
  it('names the ENRP address it listens on, so every Presence encodes', () => {
    const t = enrpTransportFor({ host: '127.0.0.1', port: 19901 });
    expect(t.addresses).toEqual([{ family: 'ipv4', address: '127.0.0.1' }]);
    expect(() => serverInformationParameter.encode({ serverId: 1, transport: t })).not.toThrow();
    expect(enrpTransportFor({ host: '::1', port: 1 }).addresses).toEqual([{ family: 'ipv6', address: '::1' }]);
    expect(enrpTransportFor({ host: 'localhost', port: 1 }).addresses).toEqual([{ family: 'ipv4', address: '0.0.0.0' }]);
  });
});
