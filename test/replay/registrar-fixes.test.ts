/**
 * Reference registrar mistakes found by replaying the shared rsplib captures, each pinned here.
 */
import { describe, expect, it } from 'vitest';
import type { EnrpMessage } from '../../codecs/index.js';
import type { RegistrarAction } from '../../src/registrar/index.js';
import { POOL, enrp, rig } from '../registrar/helpers.js';

const peerMessages = (acts: RegistrarAction[]): EnrpMessage[] =>
  acts.flatMap((a) => (a.kind === 'sendPeer' ? [a.message] : a.kind === 'send' && a.message.protocol === 'enrp' ? [a.message] : []));

describe('CK-2 / ST-2: the mentor is not audited while its handle table download runs (rsplib-b_enrp_peering, PR3 frames 148–160)', () => {
  const presence = (checksum: number): EnrpMessage => ({
    protocol: 'enrp',
    type: 'presence',
    flags: { R: false },
    senderId: 200,
    receiverId: 0,
    peChecksum: checksum,
    serverInformation: { serverId: 200, transport: { transport: 'sctp', port: 9901, transportUse: 'dataOnly', addresses: [{ family: 'ipv4', address: '10.0.0.2' }] } },
  });

  it('a mismatching checksum from the new mentor asks only for the W = 0 download, not a W = 1 re-sync', () => {
    const rg = rig('rsplib');
    const requests = peerMessages(enrp(rg, 900, presence(0x624e))).filter((m) => m.type === 'handleTableRequest');
    expect(requests.map((m) => m.type === 'handleTableRequest' && m.flags.W)).toEqual([false]);
    // Further Presences during the download do not start an audit either.
    expect(peerMessages(enrp(rg, 900, presence(0x624e))).filter((m) => m.type === 'handleTableRequest')).toEqual([]);
  });

  it('after the last page the mentor is audited again', () => {
    const rg = rig('rsplib');
    enrp(rg, 900, presence(0x624e));
    enrp(rg, 900, { protocol: 'enrp', type: 'handleTableResponse', flags: { R: false, M: false }, senderId: 200, receiverId: 100, pools: [] });
    expect(rg.r.inStartup).toBe(false);
    const again = peerMessages(enrp(rg, 900, presence(0x624e))).filter((m) => m.type === 'handleTableRequest');
    expect(again.map((m) => m.type === 'handleTableRequest' && m.flags.W)).toEqual([true]);
    void POOL;
  });
});
