/**
 * `rserpool-harness registrar`: the reference registrar on the network, ASAP (and ENRP) over the
 * userland SCTP stack on UDP (RFC 6951). Stops cleanly on SIGINT / SIGTERM.
 */
import { isIP } from 'node:net';
import type { TransportParameter } from '../../codecs/index.js';
import { InvalidArgumentError, type Command } from 'commander';
import { defaultConfig, RSPLIB_PRESET, type RegistrarConfig } from '../registrar/index.js';
import { parseReach, RegistrarNode, type RegistrarNodeOptions } from '../net/registrar-node.js';
import { registrarArgsComment } from '../replay/embedded-config.js';
import { ipAddress, parseUdpEndpoint, type UdpEndpointAddress } from '../net/address.js';
import { addLogOptions, fail, loggerFrom, num, udpEndpoint, untilSignal } from '../net/cli-options.js';
import type { NetLogRecord } from '../net/log.js';
import { PcapTap } from '../net/pcap-tap.js';

/** Numeric tunables of {@link RegistrarConfig} offered as options, with their help text. */
const NUMERIC: readonly (readonly [keyof RegistrarConfig, string])[] = [
  ['serverAnnounceCycle', 'T6-Serverannounce, ms'],
  ['keepAliveTransmissionInterval', 'delay to the next Endpoint Keep-Alive, ms'],
  ['keepAliveTimeoutInterval', 'time a PE has to answer a Keep-Alive, ms'],
  ['maxBadPeReports', 'MAX-BAD-PE-REPORT'],
  ['maxHandleResolutionItems', 'PEs per Handle Resolution Response'],
  ['maxIncrement', 'MaxIncrement of the selection policies (0 = policy default)'],
  ['maxElementsPerHandleTableResponse', 'PEs per Handle Table Response page'],
  ['peerHeartbeatCycle', 'PEER-HEARTBEAT-CYCLE, ms'],
  ['peerMaxTimeLastHeard', 'MAX-TIME-LAST-HEARD, ms'],
  ['peerMaxTimeNoResponse', 'MAX-TIME-NO-RESPONSE, ms'],
  ['mentorDiscoveryTimeout', 'MENTOR-HUNT-TIMEOUT, ms'],
  ['takeoverExpiryInterval', 'TAKEOVER-EXPIRE-INTERVAL, ms'],
  ['maxPoolElementsPerPool', 'most PEs per pool'],
  ['maxPoolHandleSize', 'longest pool handle, octets'],
  ['maxAddresses', 'most addresses in a user transport'],
  ['abortAfterMalformed', 'abort after this many undecodable messages (0 = never)'],
  ['syncTimeout', 'give up a Handle Table re-sync after ms (0 = never)'],
];

const kebab = (s: string): string => s.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

const onOff = (v: string): boolean => {
  if (v === 'on' || v === 'true') return true;
  if (v === 'off' || v === 'false') return false;
  throw new InvalidArgumentError('expected on or off');
};

const oneOf = <T extends string>(...values: T[]) => (v: string): T => {
  if (!(values as string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${values.join(', ')}`);
  return v as T;
};

/** `ID@udp:HOST:PORT` of a peer registrar. */
const peer = (value: string, previous: Map<number, UdpEndpointAddress> = new Map()): Map<number, UdpEndpointAddress> => {
  const m = /^(0x[0-9a-f]+|\d+)@(.+)$/i.exec(value);
  if (m === null) throw new InvalidArgumentError('expected ID@udp:HOST:PORT, e.g. 2@udp:127.0.0.1:9902');
  try {
    return new Map([...previous, [Number(m[1]), parseUdpEndpoint(m[2]!, 9899)]]);
  } catch (e) {
    throw new InvalidArgumentError(e instanceof Error ? e.message : String(e));
  }
};

/** `IP=udp:HOST:PORT`: where a remote address is reached (repeatable). */
const reach = (value: string, previous: Map<string, UdpEndpointAddress> = new Map()): Map<string, UdpEndpointAddress> => {
  try {
    const [ip, to] = parseReach(value);
    return new Map([...previous, [ip, to]]);
  } catch (e) {
    throw new InvalidArgumentError(e instanceof Error ? e.message : String(e));
  }
};

/** Repeatable IP address option. */
const ipList = (value: string, previous: string[] = []): string[] => {
  if (isIP(value) === 0) throw new InvalidArgumentError('expected an IPv4 or IPv6 address');
  return [...previous, value];
};

type Flags = Record<string, unknown> & {
  asap: UdpEndpointAddress;
  enrp?: UdpEndpointAddress;
  id: number;
  peer?: Map<number, UdpEndpointAddress>;
  reach?: Map<string, UdpEndpointAddress>;
  announce?: string;
  enrpAddress?: string[];
  pcap?: string;
  preset: 'rfc' | 'rsplib';
  log: 'json' | 'text';
  logLevel: NetLogRecord['level'];
};

/** How the `registrar` command starts its node; replaceable so that its arguments can be parsed alone. */
export interface RegistrarCommandDeps {
  /**
   * Starts the node from the options the arguments built. `replay --registrar-args` passes one that
   * keeps the options and starts nothing, so replay and registrar share one flags→config mapping.
   */
  readonly start?: (options: RegistrarNodeOptions) => Promise<RegistrarNode>;
}

/** Add the `registrar` command. */
export function registerRegistrar(program: Command, _out: NodeJS.WritableStream, err: NodeJS.WritableStream, deps: RegistrarCommandDeps = {}): void {
  const start = deps.start ?? ((o: RegistrarNodeOptions) => RegistrarNode.start(o));
  const cmd = program
    .command('registrar')
    .description(
      'Run the reference registrar over userland SCTP on UDP (RFC 6951) until SIGINT/SIGTERM.\n' +
        'ASAP is SCTP port 3863 and ENRP SCTP port 9901 inside the UDP socket(s).\n' +
        'PE address checks (REG-8): the association address is the UDP source address, so on loopback\n' +
        'the defaults are permissive: --check-addresses on with --min-address-scope loopback\n' +
        '(rsplib would refuse loopback PEs with its site-local default).\n' +
        'Behind a NAT (e.g. qemu slirp): give --enrp the same socket as --asap (one UDP port serves\n' +
        'both SCTP ports, RFC 6951), --min-address-scope siteLocal (PE addresses then come from the\n' +
        'addresses the PE lists in its INIT, never the NAT\'s) and --enrp-address with our address\n' +
        'as the peers see it (PP-5).\n' +
        'Sending to a PE we hold no association with (Endpoint Keep-Alive with H = 1 after a takeover,\n' +
        'TO-3) opens one to the PE\'s ASAP transport: its SCTP port at one of its addresses, over UDP\n' +
        'port 9899 (RFC 6951). Behind a NAT those addresses are not routable from here (qemu slirp: the\n' +
        'guest\'s 10.0.2.15 is reached only at 127.0.0.1:<hostfwd port>, which carries all its SCTP\n' +
        'ports): --reach 10.0.2.15=udp:127.0.0.1:9920 says where. The same map serves peers reached by the\n' +
        'addresses of their Server Information (PP-5); a --peer endpoint is used as given.',
    )
    .option('--asap <udp:HOST:PORT>', 'UDP socket of the ASAP endpoint', udpEndpoint(9899), { host: '127.0.0.1', port: 9899 })
    .option('--enrp <udp:HOST:PORT>', 'UDP socket of the ENRP endpoint (none: no ENRP)', udpEndpoint(9899))
    .option('--id <n>', 'server ID (decimal or 0x…; default random)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0 || n > 0xffffffff) throw new InvalidArgumentError('expected an integer 1..2^32-1');
      return n;
    })
    .option('--enrp-address <ip>', 'address put into our ENRP Server Information (PP-5; default the --enrp host); repeatable', ipList)
    .option('--pcap <file>', 'record every UDP datagram of the registrar\'s sockets into this pcapng file')
    .option('--peer <ID@udp:HOST:PORT>', 'a peer registrar (static peer, PP-2); repeatable', peer)
    .option('--reach <IP=udp:HOST:PORT>', 'send what goes to IP (a PE\'s ASAP transport, a peer\'s Server Information) to this UDP endpoint instead (NAT, e.g. qemu slirp; default: IP itself, UDP 9899); repeatable', reach)
    .option('--announce <udp:GROUP:PORT>', 'announce group (accepted; multicast announces are not sent yet)')
    .option('--preset <name>', 'defaults: rfc or rsplib', oneOf('rfc', 'rsplib'), 'rfc')
    .option('--cause-profile <p>', 'Operation Error causes: rfc or rsplib', oneOf('rfc', 'rsplib'))
    .option('--decode-mode <m>', 'strict or lenient decoding', oneOf('strict', 'lenient'))
    .option('--duplicate-pe-id <m>', 'REG-7: update or reject', oneOf('update', 'reject'))
    .option('--takeover-without-peers <m>', 'TO-6: complete or abandon', oneOf('complete', 'abandon'))
    .option('--check-addresses <on|off>', 'REG-8 address check', onOff, true)
    .option('--min-address-scope <s>', 'lowest PE address scope: loopback, siteLocal, global', oneOf('loopback', 'siteLocal', 'global'), 'loopback')
    .option('--asap-announce <on|off>', 'ASAP Server Announces', onOff)
    .option('--enrp-announce <on|off>', 'ENRP Presence multicast copies', onOff)
    .option('--seed <n>', 'seed of the registrar\'s random choices', num)
    .option('--sack-delay <ms>', 'SCTP delayed SACK, ms (default 200; rsplib turns delayed SACK off on its ASAP socket, T-5: 0)', num);
  for (const [key, help] of NUMERIC) cmd.option(`--${kebab(key)} <n>`, help, num);
  addLogOptions(cmd).action(async (flags: Flags) => {
    const log = loggerFrom(flags, err);
    const id = flags.id ?? 1 + Math.floor(Math.random() * 0xfffffffe);
    const overrides: Record<string, unknown> = flags.preset === 'rsplib' ? { ...RSPLIB_PRESET } : {};
    for (const [key] of NUMERIC) if (flags[key] !== undefined) overrides[key] = flags[key];
    for (const key of ['causeProfile', 'decodeMode', 'duplicatePeId', 'takeoverWithoutPeers', 'checkAddresses', 'minAddressScope', 'asapAnnounce', 'enrpAnnounce', 'seed'])
      if (flags[key] !== undefined) overrides[key] = flags[key];
    if (flags.peer !== undefined) overrides['staticPeers'] = [...flags.peer.keys()];
    if (flags.enrp !== undefined) overrides['enrpTransport'] = enrpTransportFor(flags.enrp, flags.enrpAddress);
    const config = defaultConfig(id, overrides as Partial<RegistrarConfig>);
    let node: RegistrarNode;
    let pcap: PcapTap | undefined;
    try {
      if (flags.pcap !== undefined) {
        // The capture carries the arguments it was recorded with: `replay` reads them back.
        // commander keeps the parsed argument list on the root command but leaves it out of its types.
        let root: Command = cmd;
        while (root.parent !== null) root = root.parent;
        const raw = (root as unknown as { rawArgs?: string[] }).rawArgs ?? process.argv;
        pcap = new PcapTap(flags.pcap, registrarArgsComment(raw.slice(raw.indexOf('registrar') + 1)));
      }
      node = await start({
        config,
        asap: flags.asap,
        ...(flags.enrp ? { enrp: flags.enrp } : {}),
        ...(flags.peer ? { peers: flags.peer } : {}),
        ...(flags.reach ? { reach: flags.reach } : {}),
        ...(pcap ? { tap: pcap.tap } : {}),
        ...(flags['sackDelay'] !== undefined ? { association: { sackDelay: Number(flags['sackDelay']) } } : {}),
        log,
      });
    } catch (e) {
      pcap?.close();
      fail(cmd, err, e);
      return;
    }
    if (pcap !== undefined) log({ level: 'info', event: 'captureStarted', detail: { file: pcap.path } });
    const signal = await untilSignal();
    log({ level: 'info', event: 'stopping', detail: { signal } });
    await node.stop();
    if (pcap !== undefined) {
      pcap.close();
      log({ level: 'info', event: 'captureClosed', detail: { file: pcap.path, datagrams: pcap.count } });
    }
  });
}

/**
 * PP-5: the Server Information in every Presence names where peers reach this registrar, so it needs
 * an address (an empty list cannot even be encoded). A host name stands for "bound here" (0.0.0.0).
 * `advertised` replaces the socket's address: behind a NAT (the lab's slirp) peers see us under
 * another address, and rsplib ignores a Presence whose Server Information addresses are not
 * addresses of the association (PP-5).
 */
export function enrpTransportFor(endpoint: UdpEndpointAddress, advertised: readonly string[] = []): TransportParameter {
  const addresses = advertised.length > 0
    ? advertised.map(ipAddress)
    : [isIP(endpoint.host) ? ipAddress(endpoint.host) : ({ family: 'ipv4', address: '0.0.0.0' } as const)];
  return { transport: 'sctp', port: 9901, transportUse: 'dataOnly', addresses };
}
