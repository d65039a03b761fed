/**
 * Real rsplib traffic: every ASAP/ENRP message in `../shared/captures/rsplib-*.pcap` decodes without
 * error (strict mode) and re-encodes to the same octets. The 2007 demo capture must decode in the
 * pre-RFC numbering, with the message inventory the digest gives (wire-format §7).
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decode, encode } from '../../codecs/index.js';
import { readCaptureMessages } from '../../src/capture/index.js';

const DIR = fileURLToPath(new URL('../../../shared/captures/', import.meta.url));
const FILES = existsSync(DIR) ? readdirSync(DIR).filter((f) => /^rsplib-.*\.pcap$/.test(f)).sort() : [];

describe('shared rsplib captures', () => {
  it('are present beside the checkout', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(5);
  });

  for (const file of FILES) {
    it(`${file}: every message decodes strictly and re-encodes byte-identically`, async () => {
      const counts: Record<string, number> = {};
      const profiles: Record<string, number> = {};
      let n = 0;
      for await (const item of readCaptureMessages(DIR + file)) {
        if (item.kind !== 'message') continue;
        n++;
        const where = `${file} frame(s) ${item.frames.join(',')}`;
        const r = decode(item.bytes, { protocol: item.protocol, profile: 'auto' });
        expect(r.tolerated, where).toEqual([]);
        expect(r.bytesRead, where).toBe(item.bytes.length);
        expect(Buffer.from(encode(r.value)).toString('hex'), where).toBe(Buffer.from(item.bytes).toString('hex'));
        const key = `${item.protocol}.${r.value.type}`;
        counts[key] = (counts[key] ?? 0) + 1;
        profiles[r.profile] = (profiles[r.profile] ?? 0) + 1;
      }
      expect(n).toBeGreaterThan(50);
      if (file === 'rsplib-demo.pcap') {
        // Inventory of wire-format §7: 693 RSerPool messages, all but the parameterless ones legacy.
        expect(n).toBe(693);
        expect(counts).toMatchObject({
          'enrp.presence': 531,
          'enrp.handleUpdate': 7,
          'enrp.handleTableRequest': 1,
          'enrp.handleTableResponse': 1,
          'enrp.listRequest': 1,
          'enrp.listResponse': 1,
          'enrp.initTakeover': 1,
          'enrp.initTakeoverAck': 1,
          'enrp.takeoverServer': 1,
          'asap.registration': 2,
          'asap.registrationResponse': 2,
          'asap.deregistration': 2,
          'asap.deregistrationResponse': 2,
          'asap.handleResolution': 20,
          'asap.handleResolutionResponse': 20,
          'asap.endpointKeepAlive': 38,
          'asap.endpointKeepAliveAck': 38,
          'asap.endpointUnreachable': 1,
          'asap.cookie': 22,
          'asap.cookieEcho': 1,
        });
        expect(profiles.legacy).toBeGreaterThan(680);
      } else {
        // rsplib 3.4.4 speaks RFC 5354 numbering only.
        expect(profiles).toEqual({ rfc: n });
      }
    });
  }
});
