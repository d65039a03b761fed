/**
 * Deliberately broken registrars: wrappers around the reference registrar that alter its events
 * or actions, to prove the conformance cases can fail. Nothing in `src/registrar/` is changed.
 */
import { CAUSE, decode, type Message } from '../../codecs/index.js';
import { Registrar, type RegistrarAction, type RegistrarConfig, type RegistrarEvent } from '../registrar/index.js';
import type { RegistrarFactory, RegistrarLike } from './in-process-target.js';

/** Rewrites events before and actions after the reference registrar. */
function wrap(rewriteEvent: (e: RegistrarEvent) => RegistrarEvent | undefined, rewriteAction: (a: RegistrarAction) => RegistrarAction | undefined): RegistrarFactory {
  return (config: RegistrarConfig, clock: () => number): RegistrarLike => {
    const inner = new Registrar(config, clock);
    const out = (actions: RegistrarAction[]) => actions.flatMap((a) => {
      const b = rewriteAction(a);
      return b === undefined ? [] : [b];
    });
    return {
      start: () => out(inner.start()),
      handle: (e) => {
        const f = rewriteEvent(e);
        return f === undefined ? [] : out(inner.handle(f));
      },
    };
  };
}

function messageOf(e: RegistrarEvent): Message | undefined {
  if (e.kind !== 'asap' && e.kind !== 'enrp') return undefined;
  if (!(e.message instanceof Uint8Array)) return e.message;
  try {
    return decode(e.message, { protocol: e.kind, mode: 'lenient', profile: 'auto' }).value;
  } catch {
    return undefined;
  }
}

const keep = <T>(x: T) => x;

/** The broken variants by name. */
export const VARIANTS = Object.freeze({
  /** Ignores Endpoint Unreachable reports: the MAX-BAD-PE-REPORT threshold is never reached. */
  ignoresFailureReports: wrap((e) => (messageOf(e)?.type === 'endpointUnreachable' ? undefined : e), keep),
  /** Answers an unknown pool with an empty success instead of Unknown Pool Handle. */
  emptySuccessForUnknownPool: wrap(keep, (a) => {
    if (a.kind !== 'send' || a.message.type !== 'handleResolutionResponse') return a;
    const causes = a.message.operationError?.causes ?? [];
    if (!causes.some((c) => c.code === CAUSE.unknownPoolHandle)) return a;
    const { operationError: _dropped, ...rest } = a.message;
    return { ...a, message: rest };
  }),
  /** Never sends Handle Updates to peers. */
  noHandleUpdates: wrap(keep, (a) => (a.kind === 'sendPeer' && a.message.type === 'handleUpdate' ? undefined : a)),
  /** Never sends Endpoint Keep-Alives. */
  noKeepAlives: wrap(keep, (a) => ((a.kind === 'send' || a.kind === 'sendEndpoint') && a.message.type === 'endpointKeepAlive' ? undefined : a)),
  /** Never starts a takeover: Init Takeover is dropped. */
  noTakeover: wrap(keep, (a) => (a.kind === 'sendPeer' && a.message.type === 'initTakeover' ? undefined : a)),
  /** Sends no Error messages at all. */
  silentOnErrors: wrap(keep, (a) => (a.kind === 'send' && a.message.type === 'error' ? undefined : a)),
} satisfies Record<string, RegistrarFactory>);

/** A registrar that stops answering anything after `events` events (a target that dies). */
export function diesAfter(events: number): RegistrarFactory {
  let seen = 0;
  return wrap((e) => (++seen > events ? undefined : e), keep);
}
