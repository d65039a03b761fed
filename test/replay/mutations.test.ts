/**
 * The replay must notice when something is wrong: doctored captures and broken registrar
 * variants produce the divergence (or lint finding) one expects, UNEXPLAINED.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { encode, type Message } from '../../codecs/index.js';
import type { LoadedCapture, TimedItem } from '../../src/replay/model.js';
import { isUnexplained, lintCapture, loadCapture, replayLoaded } from '../../src/replay/index.js';
import { recordTo, sharedPath, sharedPresent, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.done());

/** A copy of the capture with one message replaced. */
function mutate(c: LoadedCapture, pick: (i: TimedItem) => boolean, change: (m: Message) => Message): LoadedCapture {
  let done = false;
  const items = c.items.map((i) => {
    if (done || i.kind !== 'message' || i.message === undefined || !pick(i)) return i;
    done = true;
    const message = change(i.message);
    return { ...i, message, bytes: encode(message) };
  });
  expect(done).toBe(true);
  return { ...c, items };
}
const unexplainedKinds = (c: LoadedCapture, options = {}): string[] =>
  replayLoaded(c, options).registrars.flatMap((g) => g.divergences).filter(isUnexplained).map((d) => d.kind);

describe('own registrar', () => {
  it('a capture recorded from the reference registrar replays without any divergence', async () => {
    const r = replayLoaded(await loadCapture(recordTo(tmp.dir, 'own')));
    expect(r.registrars).toHaveLength(1);
    expect(r.registrars[0]!.divergences.map((d) => d.summary)).toEqual([]);
    expect(lintCapture(await loadCapture(recordTo(tmp.dir, 'own2'))).findings).toEqual([]);
  });

  it('a broken variant (RFC causes recorded, rsplib otherwise) shows up as REG-4 cause info divergence', async () => {
    const c = await loadCapture(recordTo(tmp.dir, 'rfc-causes', { overrides: { causeProfile: 'rfc' } }));
    expect(unexplainedKinds(c)).toContain('registration.causeInfo');
  });

  it('a broken variant (Keep-Alives every 3 s instead of 2 s) against a reference told 2 s: KA-1 divergences', async () => {
    const c = await loadCapture(recordTo(tmp.dir, 'ka3s', { overrides: { keepAliveTransmissionInterval: 3000 } }));
    const kinds = unexplainedKinds(c, { overrides: { keepAliveTransmissionInterval: 2000 } });
    expect(kinds).toContain('keepAlive.missing');
  });
});

describe.skipIf(!sharedPresent)('doctored shared captures', () => {
  it('a2: a round-robin answer naming the wrong PE is a selection divergence (HR-4)', async () => {
    const c = await loadCapture(sharedPath('a2_handle_resolution'));
    const m = mutate(
      c,
      (i) => i.kind === 'message' && i.frame === 298,
      (x) => (x.protocol === 'asap' && x.type === 'handleResolutionResponse' ? { ...x, poolElements: [{ ...x.poolElements[0]!, peId: 0x20000003 }] } : x),
    );
    expect(unexplainedKinds(m)).toContain('resolution.selection');
  });

  it('a1: accepting the inconsistent policy (REG-4) is a registration outcome divergence', async () => {
    const c = await loadCapture(sharedPath('a1_pe_registration'));
    const m = mutate(
      c,
      (i) => i.kind === 'message' && i.message?.protocol === 'asap' && i.message.type === 'registrationResponse' && i.message.flags.R,
      (x) => (x.protocol === 'asap' && x.type === 'registrationResponse' ? { protocol: 'asap', type: 'registrationResponse', flags: { R: false }, poolHandle: x.poolHandle, peId: x.peId } : x),
    );
    expect(unexplainedKinds(m)).toContain('registration.outcome');
  });

  it('c1: a Presence with a wrong checksum is a CK-1 divergence; dropping the DEL_PE a HU-1 one', async () => {
    const c = await loadCapture(sharedPath('c1_pe_keepalive_timeout'));
    const wrong = mutate(
      c,
      (i) => i.kind === 'message' && i.message?.protocol === 'enrp' && i.message.type === 'presence' && i.message.senderId === 0xf4cca65f && i.time > 25_000,
      (x) => (x.protocol === 'enrp' && x.type === 'presence' ? { ...x, peChecksum: x.peChecksum ^ 0x1234 } : x),
    );
    expect(unexplainedKinds(wrong)).toContain('presence.checksum');
    const noDel: LoadedCapture = { ...c, items: c.items.filter((i) => !(i.kind === 'message' && i.message?.protocol === 'enrp' && i.message.type === 'handleUpdate' && i.message.updateAction === 1)) };
    expect(unexplainedKinds(noDel, { registrar: '10.99.0.1' })).toContain('handleUpdate.missing');
  });

  it('lint: a response without request and a Keep-Alive to an unknown PE are findings', async () => {
    const c = await loadCapture(sharedPath('a2_handle_resolution'));
    const noRequest: LoadedCapture = { ...c, items: c.items.filter((i) => !(i.kind === 'message' && i.frame === 190)) };
    expect(lintCapture(noRequest).findings.map((f) => f.check)).toContain('answer.withoutRequest');
    const strangeKa = mutate(
      c,
      (i) => i.kind === 'message' && i.message?.protocol === 'asap' && i.message.type === 'endpointKeepAlive',
      (x) => (x.protocol === 'asap' && x.type === 'endpointKeepAlive' ? { ...x, peId: 0x0badcafe } : x),
    );
    const f = lintCapture(strangeKa).findings.find((x) => x.check === 'keepAlive.unregistered');
    expect(f?.severity).toBe('error');
    expect(f?.requirements).toContain('KA-1');
  });
});
