import { afterEach, describe, expect, it } from 'vitest';
import { UdpSctpTransport, seededRandom, type Association, type SctpMessage, type DownInfo } from '../../src/transport/sctp/index.js';

const open: UdpSctpTransport[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

const until = (f: () => boolean, ms = 10_000): Promise<void> =>
  new Promise((resolve, reject) => {
    const start = Date.now();
    const iv = setInterval(() => {
      if (f()) {
        clearInterval(iv);
        resolve();
      } else if (Date.now() - start > ms) {
        clearInterval(iv);
        reject(new Error('timed out'));
      }
    }, 2);
  });

describe('SCTP over UDP on loopback', () => {
  it('carries messages between many associations on one socket each', async () => {
    const opts = { association: { rto: { initial: 200, min: 50, max: 2000 } } };
    const server = await UdpSctpTransport.open({ ...opts, random: seededRandom(1) });
    open.push(server);
    server.endpoint.listen(3863);
    const echoed: SctpMessage[] = [];
    server.endpoint.on('message', (a, m) => a.send(m.streamId, m.ppid, m.bytes));
    const client = await UdpSctpTransport.open({ ...opts, random: seededRandom(2) });
    open.push(client);
    const assocs: Association[] = [];
    for (let i = 0; i < 5; i++) assocs.push(client.endpoint.connect({ address: '127.0.0.1', udpPort: server.local.port, sctpPort: 3863 }));
    client.endpoint.on('message', (_a, m) => echoed.push(m));
    await until(() => assocs.every((a) => a.state === 'established'));
    expect(server.endpoint.associations()).toHaveLength(5);
    for (const [i, a] of assocs.entries()) for (let k = 0; k < 20; k++) a.send(k % 3, 11, new Uint8Array(100 * k + i + 1));
    await until(() => echoed.length === 100);
    const downs: DownInfo[] = [];
    client.endpoint.on('down', (_a, d) => downs.push(d));
    await client.close({ graceful: true });
    expect(downs.map((d) => d.reason)).toEqual(Array(5).fill('shutdown'));
    await until(() => server.endpoint.associations().length === 0);
  });

  it('reports a bind failure with a typed error', async () => {
    const a = await UdpSctpTransport.open();
    open.push(a);
    await expect(UdpSctpTransport.open({ port: a.local.port })).rejects.toThrow('RSP_ERR_SCTP_BIND_FAILED');
  });
});
