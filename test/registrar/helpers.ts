/** Shared drivers for the registrar tests: a manual clock and message builders. */
import type { AsapMessage, AsapRegistration, EnrpMessage, Message, Policy, PoolElement } from '../../codecs/index.js';
import { Registrar, defaultConfig, rsplibConfig, type RegistrarAction, type RegistrarConfig } from '../../src/registrar/index.js';

export const POOL = new TextEncoder().encode('EchoPool');
export const PE_ADDR = { family: 'ipv4', address: '10.0.0.5' } as const;

export interface Rig {
  readonly r: Registrar;
  now: number;
  /** Advance the clock and deliver a time event. */
  advance(ms: number): RegistrarAction[];
}

export function rig(profile: 'rfc' | 'rsplib' = 'rfc', overrides: Partial<RegistrarConfig> = {}, id = 100): Rig {
  const state = { now: 0 };
  const cfg = profile === 'rfc' ? defaultConfig(id, overrides) : rsplibConfig(id, overrides);
  const r = new Registrar(cfg, () => state.now);
  r.start();
  const rg: Rig = {
    r,
    get now() {
      return state.now;
    },
    set now(v: number) {
      state.now = v;
    },
    advance(ms: number) {
      state.now += ms;
      return r.handle({ kind: 'time' });
    },
  };
  return rg;
}

export function up(rg: Rig, association: number, address: string = PE_ADDR.address): RegistrarAction[] {
  return rg.r.handle({ kind: 'associationUp', association, protocol: 'asap', peerAddresses: [{ family: 'ipv4', address }], peerPort: 40000 + association });
}

export function element(peId: number, over: Partial<PoolElement> = {}, policy: Policy = { name: 'roundRobin' }): PoolElement {
  return {
    peId,
    homeRegistrarId: 0,
    registrationLife: 30_000,
    userTransport: { transport: 'sctp', port: 7, transportUse: 'dataOnly', addresses: [PE_ADDR] },
    policy,
    ...over,
  };
}

export function registration(peId: number, over: Partial<PoolElement> = {}, policy?: Policy, pool = POOL): AsapRegistration {
  return { protocol: 'asap', type: 'registration', poolHandle: pool, poolElement: element(peId, over, policy) };
}

export function asap(rg: Rig, association: number, message: AsapMessage | Uint8Array): RegistrarAction[] {
  return rg.r.handle({ kind: 'asap', association, message });
}

export function enrp(rg: Rig, association: number, message: EnrpMessage | Uint8Array): RegistrarAction[] {
  return rg.r.handle({ kind: 'enrp', association, message });
}

/** Messages sent on associations. */
export function sent(actions: readonly RegistrarAction[]): Message[] {
  return actions.flatMap((a) => (a.kind === 'send' ? [a.message] : []));
}

/** Messages sent to peers. */
export function toPeers(actions: readonly RegistrarAction[]): { peerId: number; message: EnrpMessage }[] {
  return actions.flatMap((a) => (a.kind === 'sendPeer' ? [{ peerId: a.peerId, message: a.message }] : []));
}

export function only<T extends Message['type']>(ms: readonly Message[], type: T): Extract<Message, { type: T }>[] {
  return ms.filter((m) => m.type === type) as Extract<Message, { type: T }>[];
}

export function causeOf(m: Message | undefined): number | undefined {
  if (m === undefined || !('operationError' in m) || m.operationError === undefined) return undefined;
  return m.operationError.causes[0]?.code;
}
