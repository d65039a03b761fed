/**
 * Replay rules found on the captures of our own networked registrar (issue #10), on small
 * hand-made captures: SCTP-over-UDP endpoints told apart by UDP port, and associations the
 * registrar's stack did not know (a restart on the same UDP socket) kept out of the replay.
 */
import { describe, expect, it } from 'vitest';
import type { AssociationInstance, Endpoint, LoadedCapture, TimedControl, TimedItem, TimedMessage } from '../../src/replay/model.js';
import { endpointText, sameEndpoint } from '../../src/replay/model.js';
import { unknownToRegistrar } from '../../src/replay/run.js';
import type { RegistrarRole } from '../../src/replay/roles.js';

const OURS_ENRP: Endpoint = { ip: '127.0.0.1', port: 9901, udpPort: 9899 };
const GUEST_ENRP: Endpoint = { ip: '127.0.0.1', port: 9901, udpPort: 9920 };
const ROLE: RegistrarRole = { serverId: 0x11, asap: [{ ip: '127.0.0.1', port: 3863, udpPort: 9899 }], enrp: [OURS_ENRP], label: 'PR' };

function association(id: number, sawInit: boolean): AssociationInstance {
  return { id, initiator: GUEST_ENRP, responder: OURS_ENRP, initiatorAddresses: new Set(), responderAddresses: new Set(), start: 0, startFrame: 1, end: undefined, endFrame: undefined, endReason: undefined, endedBy: undefined, sawInit, established: true };
}
const presence = (index: number, time: number, association: number, src: Endpoint, dst: Endpoint): TimedMessage => ({
  kind: 'message', index, frame: index + 1, frames: [index + 1], time, src, dst, transport: 'sctp', association, protocol: 'enrp', ppid: 12, bytes: new Uint8Array(0),
  message: { protocol: 'enrp', type: 'presence', flags: { R: false }, senderId: 0x20, receiverId: 0x11, peChecksum: 0xffff } as unknown as TimedMessage['message'],
  decodeError: undefined, strictError: undefined, legacy: false,
});
const abort = (index: number, time: number, association: number, src: Endpoint, dst: Endpoint): TimedControl => ({ kind: 'control', index, frame: index + 1, time, src, dst, chunk: 'abort', addresses: [], association });
const capture = (items: TimedItem[], associations: AssociationInstance[]): LoadedCapture => ({ file: 'x', items, associations: new Map(associations.map((a) => [a.id, a])), epoch: 0, duration: 10_000, readerNotes: [] });

describe('SCTP over UDP endpoints', () => {
  it('the same IP and SCTP port behind different UDP ports are different endpoints', () => {
    expect(sameEndpoint(OURS_ENRP, GUEST_ENRP)).toBe(false);
    expect(sameEndpoint(OURS_ENRP, { ...OURS_ENRP })).toBe(true);
    expect(endpointText(GUEST_ENRP)).toBe('127.0.0.1:9901/udp:9920');
    expect(endpointText({ ip: '10.0.0.1', port: 3863 })).toBe('10.0.0.1:3863');
  });
});

describe('associations the registrar did not know (RFC 9260 §8.4)', () => {
  it('a peer sending on an association not set up in the capture, answered at once by ABORT, is a stranger', () => {
    const c = capture([presence(0, 100, 1, GUEST_ENRP, OURS_ENRP), abort(1, 101, 1, OURS_ENRP, GUEST_ENRP)], [association(1, false)]);
    expect([...unknownToRegistrar(c, ROLE)]).toEqual([1]);
  });

  it('not when the capture shows the set-up, the registrar spoke on it, or the ABORT came late', () => {
    expect(unknownToRegistrar(capture([presence(0, 100, 1, GUEST_ENRP, OURS_ENRP), abort(1, 101, 1, OURS_ENRP, GUEST_ENRP)], [association(1, true)]), ROLE).size).toBe(0);
    expect(unknownToRegistrar(capture([presence(0, 100, 1, GUEST_ENRP, OURS_ENRP), presence(1, 100, 1, OURS_ENRP, GUEST_ENRP), abort(2, 101, 1, OURS_ENRP, GUEST_ENRP)], [association(1, false)]), ROLE).size).toBe(0);
    expect(unknownToRegistrar(capture([presence(0, 100, 1, GUEST_ENRP, OURS_ENRP), abort(1, 5000, 1, OURS_ENRP, GUEST_ENRP)], [association(1, false)]), ROLE).size).toBe(0);
  });
});
