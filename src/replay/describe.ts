/**
 * Short human-readable forms of messages for divergence lines.
 */
import { causeName, type ErrorCause, type Message } from '../../codecs/index.js';

/** `$0000abcd`. */
export function idText(id: number): string {
  return `$${id.toString(16).padStart(8, '0')}`;
}

/** Pool handle as text when printable, else hex. */
export function handleText(h: Uint8Array): string {
  const s = Buffer.from(h).toString('latin1');
  return /^[\x20-\x7e]*$/.test(s) ? `"${s}"` : `0x${Buffer.from(h).toString('hex')}`;
}

/** `0x0005 (Inconsistent Pooling Policy)`. */
export function causesText(causes: readonly ErrorCause[] | undefined): string {
  if (causes === undefined || causes.length === 0) return 'no cause';
  return causes.map((c) => `0x${c.code.toString(16).padStart(4, '0')} (${causeName(c.code)})${c.info.length > 0 ? ` +${c.info.length} octets info` : ''}`).join(', ');
}

/** One line describing a message. */
export function messageText(m: Message | undefined): string {
  if (m === undefined) return 'nothing';
  const p = m.protocol === 'asap' ? 'ASAP' : 'ENRP';
  switch (m.type) {
    case 'registration':
      return `${p} Registration ${handleText(m.poolHandle)} PE ${idText(m.poolElement.peId)}`;
    case 'registrationResponse':
      return `${p} Registration Response${m.flags.R ? ' R=1' : ''} ${handleText(m.poolHandle)} PE ${idText(m.peId)}${m.operationError ? ` ${causesText(m.operationError.causes)}` : ''}`;
    case 'deregistration':
      return `${p} Deregistration ${handleText(m.poolHandle)} PE ${idText(m.peId)}`;
    case 'deregistrationResponse':
      return `${p} Deregistration Response ${handleText(m.poolHandle)} PE ${idText(m.peId)}${m.operationError ? ` ${causesText(m.operationError.causes)}` : ''}`;
    case 'handleResolution':
      return `${p} Handle Resolution ${handleText(m.poolHandle)}${m.items !== undefined ? ` items ${m.items}` : ''}`;
    case 'handleResolutionResponse':
      return `${p} Handle Resolution Response ${handleText(m.poolHandle)} [${m.poolElements.map((e) => idText(e.peId)).join(', ')}]${m.operationError ? ` ${causesText(m.operationError.causes)}` : ''}`;
    case 'endpointKeepAlive':
      return `${p} Endpoint Keep-Alive${m.flags.H ? ' H=1' : ''} ${handleText(m.poolHandle)}${m.peId !== undefined ? ` PE ${idText(m.peId)}` : ''}`;
    case 'endpointKeepAliveAck':
      return `${p} Endpoint Keep-Alive Ack ${handleText(m.poolHandle)} PE ${idText(m.peId)}`;
    case 'endpointUnreachable':
      return `${p} Endpoint Unreachable ${handleText(m.poolHandle)} PE ${idText(m.peId)}`;
    case 'error':
      return `${p} Error ${causesText(m.operationError.causes)}`;
    case 'presence':
      return `${p} Presence${m.flags.R ? ' R=1' : ''} ${idText(m.senderId)}→${idText(m.receiverId)} checksum 0x${m.peChecksum.toString(16).padStart(4, '0')}`;
    case 'handleUpdate':
      return `${p} Handle Update ${m.updateAction === 0 ? 'ADD_PE' : m.updateAction === 1 ? 'DEL_PE' : `action ${m.updateAction}`} ${handleText(m.poolHandle)} PE ${idText(m.poolElement.peId)} home ${idText(m.poolElement.homeRegistrarId)} → ${idText(m.receiverId)}`;
    case 'handleTableRequest':
      return `${p} Handle Table Request${m.flags.W ? ' W=1' : ''} → ${idText(m.receiverId)}`;
    case 'handleTableResponse':
      return `${p} Handle Table Response${m.flags.R ? ' R=1' : ''}${m.flags.M ? ' M=1' : ''} ${m.pools.reduce((n, x) => n + x.poolElements.length, 0)} PE(s) → ${idText(m.receiverId)}`;
    case 'listRequest':
      return `${p} List Request → ${idText(m.receiverId)}`;
    case 'listResponse':
      return `${p} List Response [${m.servers.map((s) => idText(s.serverId)).join(', ')}] → ${idText(m.receiverId)}`;
    case 'initTakeover':
      return `${p} Init Takeover of ${idText(m.targetId)} → ${idText(m.receiverId)}`;
    case 'initTakeoverAck':
      return `${p} Init Takeover Ack for ${idText(m.targetId)} → ${idText(m.receiverId)}`;
    case 'takeoverServer':
      return `${p} Takeover Server of ${idText(m.targetId)} → ${idText(m.receiverId)}`;
    default:
      return `${p} ${m.type}`;
  }
}
