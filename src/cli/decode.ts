/**
 * `rserpool-harness decode`: decode one ASAP or ENRP message given as hex, or every message of
 * capture files; print fields, or the DecodeError (code, offset, path, cause) and exit 1.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { decodeFiles } from './decode-files.js';
import { causeName, decode, DecodeError, toJson, type DecodeResult, type Protocol } from '../../codecs/index.js';
import { formatText } from './format.js';

const parseHex = (value: string): Uint8Array => {
  const clean = value.replace(/^0x/i, '').replace(/[\s:_-]/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new InvalidArgumentError('expected an even number of hex digits (spaces, ":" and "-" allowed)');
  return new Uint8Array(Buffer.from(clean, 'hex'));
};

const parsePort = (value: string, previous: number[] = []): number[] => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError('expected a UDP port number 1–65535');
  return [...previous, n];
};

interface DecodeFlags {
  hex?: Uint8Array;
  protocol?: Protocol;
  format: 'text' | 'json' | 'jsonl';
  lenient?: boolean;
  strict?: boolean;
  profile: 'rfc' | 'legacy' | 'auto';
  filter?: string;
  udpEncapPort?: number[];
  portHeuristic?: boolean;
  progress?: boolean;
}

/** Add the `decode` command. */
export function registerDecode(program: Command, out: NodeJS.WritableStream, err: NodeJS.WritableStream): void {
  program
    .command('decode')
    .description(
      'Decode ASAP/ENRP messages: one given in hex (--hex), or every message in pcap/pcapng capture files\n' +
        '(Ethernet, VLAN, Linux SLL/SLL2, raw IP, BSD loopback; IPv4/IPv6; SCTP with reassembly, SCTP over UDP, UDP).',
    )
    .argument('[files...]', 'capture files (classic pcap or pcapng)')
    .option('--hex <hex>', 'decode these octets instead of files (spaces and colons are ignored)', parseHex)
    .addOption(new Option('--protocol <protocol>', 'with --hex: ASAP (SCTP PPID 11) or ENRP (PPID 12); the type codes overlap').choices(['asap', 'enrp']))
    .addOption(new Option('--format <format>', 'output: text, one JSON document, or JSON lines (files)').choices(['text', 'json', 'jsonl']).default('text'))
    .option('--filter <what>', 'files: only asap, enrp, or one message type (e.g. registration, enrp.presence)')
    .option('--strict', 'reject what the RFC forbids (the default)')
    .option('--lenient', 'accept what rsplib accepts (and list what was tolerated) instead of the strict RFC reading')
    .addOption(
      new Option('--profile <profile>', "parameter numbering: RFC 5354, rsplib's pre-RFC (2007) one, or auto").choices(['rfc', 'legacy', 'auto']).default('auto'),
    )
    .option('--udp-encap-port <port>', 'files: also treat this UDP port as SCTP over UDP (RFC 6951; 9899 always is); repeatable', parsePort)
    .option('--port-heuristic', 'files: classify SCTP DATA with an unknown PPID by port 3863 (ASAP) / 9901 (ENRP)')
    .option('--no-progress', 'files: no progress line on stderr (shown only when stderr is a terminal)')
    .addHelpText(
      'after',
      [
        '',
        'Exit status: 0 everything decoded, 1 a message failed to decode (or a capture is unreadable), 2 usage error.',
        '',
        'In JSON output each record carries our typed fields and a "tshark" map keyed by Wireshark field',
        'abbreviations (raw hex, as `tshark -T json -x` shows them), for diffing against tshark.',
        '',
        'Examples:',
        '  rserpool-harness decode --protocol asap --format json --hex 0500001c0009000f43616c63417070506f6f6c00803f000800000005',
        '  rserpool-harness decode capture.pcapng --format jsonl --filter enrp',
      ].join('\n'),
    )
    .action(async (files: string[], flags: DecodeFlags, cmd: Command) => {
      const usage = (msg: string) => cmd.error(`error: ${msg}`, { exitCode: 2, code: 'rserpool.usage' });
      if (flags.strict && flags.lenient) usage('--strict and --lenient exclude each other');
      if (files.length > 0) {
        if (flags.hex) usage('give either --hex or capture files, not both');
        const status = await decodeFiles(
          files,
          {
            format: flags.format,
            ...(flags.filter !== undefined ? { filter: flags.filter } : {}),
            mode: flags.lenient ? 'lenient' : 'strict',
            profile: flags.profile,
            udpEncapPorts: flags.udpEncapPort ?? [],
            portHeuristic: flags.portHeuristic ?? false,
            progress: flags.progress !== false && Boolean((err as NodeJS.WriteStream).isTTY),
          },
          out,
          err,
        );
        cmd.parent?.setOptionValue('exitCode', status);
        return;
      }
      if (!flags.hex) usage('give --hex <octets> or one or more capture files');
      if (!flags.protocol) usage('--hex needs --protocol asap|enrp (the type codes overlap)');
      const protocol = flags.protocol!;
      const hex = flags.hex!;
      let result: DecodeResult;
      try {
        result = decode(hex, { protocol, mode: flags.lenient ? 'lenient' : 'strict', profile: flags.profile });
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        if (flags.format !== 'text') out.write(`${JSON.stringify({ error: e.toJSON() }, null, 2)}\n`);
        else err.write(formatError(e));
        cmd.parent?.setOptionValue('exitCode', 1);
        return;
      }
      if (flags.format !== 'text') {
        out.write(
          `${JSON.stringify(
            {
              message: toJson(result.value),
              bytesRead: result.bytesRead,
              profile: result.profile,
              tolerated: toJson(result.tolerated),
              skipped: toJson(result.skipped),
              toReport: toJson(result.toReport),
            },
            null,
            2,
          )}\n`,
        );
      } else {
        out.write(formatText(result));
      }
    });
}

/** Human-readable form of a decode error. */
export function formatError(e: DecodeError): string {
  const cause = e.cause
    ? `0x${e.cause.code.toString(16).padStart(4, '0')} (${causeName(e.cause.code)})${e.cause.info.length ? `, info ${Buffer.from(e.cause.info).toString('hex')}` : ''}`
    : 'none (discard silently)';
  const rsplib = e.rsplibCause === null ? 'silent' : `0x${e.rsplibCause.toString(16).padStart(4, '0')} (${causeName(e.rsplibCause)})`;
  return [
    `DecodeError ${e.code}`,
    `  offset: ${e.offset}`,
    `  path:   ${e.path || '(message)'}`,
    `  reason: ${e.message.replace(/^[^:]*\): /, '')}`,
    `  cause a registrar sends back (RFC 5354): ${cause}`,
    `  cause rsplib 3.x would send: ${rsplib}`,
    ...(e.needed !== undefined ? [`  octets needed: ${e.needed}`] : []),
    '',
  ].join('\n');
}
