/**
 * `rserpool-harness decode`: decode one ASAP or ENRP message given as hex and print it as text or
 * JSON, or print the DecodeError (code, offset, path, cause) and exit 1.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { causeName, decode, DecodeError, toJson, type DecodeResult, type Protocol } from '../../codecs/index.js';
import { formatText } from './format.js';

const parseHex = (value: string): Uint8Array => {
  const clean = value.replace(/^0x/i, '').replace(/[\s:_-]/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new InvalidArgumentError('expected an even number of hex digits (spaces, ":" and "-" allowed)');
  return new Uint8Array(Buffer.from(clean, 'hex'));
};

interface DecodeFlags {
  hex: Uint8Array;
  protocol: Protocol;
  format: 'text' | 'json';
  lenient?: boolean;
  profile: 'rfc' | 'legacy' | 'auto';
}

/** Add the `decode` command. */
export function registerDecode(program: Command, out: NodeJS.WritableStream, err: NodeJS.WritableStream): void {
  program
    .command('decode')
    .description('Decode one ASAP or ENRP message given in hex, and print its fields or the decode error.')
    .requiredOption('--hex <hex>', 'the message octets in hex (spaces and colons are ignored)', parseHex)
    .addOption(new Option('--protocol <protocol>', 'ASAP (SCTP PPID 11) or ENRP (PPID 12): the type codes overlap').choices(['asap', 'enrp']).makeOptionMandatory())
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--lenient', 'accept what rsplib accepts (and list what was tolerated) instead of the strict RFC reading')
    .addOption(
      new Option('--profile <profile>', "parameter numbering: RFC 5354, rsplib's pre-RFC (2007) one, or auto").choices(['rfc', 'legacy', 'auto']).default('auto'),
    )
    .addHelpText(
      'after',
      '\nExit status: 0 decoded, 1 decode error, 2 usage error.\n\nExample:\n  rserpool-harness decode --protocol asap --format json --hex 0500001c0009000f43616c63417070506f6f6c00803f000800000005',
    )
    .action((flags: DecodeFlags, cmd: Command) => {
      let result: DecodeResult;
      try {
        result = decode(flags.hex, { protocol: flags.protocol, mode: flags.lenient ? 'lenient' : 'strict', profile: flags.profile });
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        if (flags.format === 'json') out.write(`${JSON.stringify({ error: e.toJSON() }, null, 2)}\n`);
        else err.write(formatError(e));
        cmd.parent?.setOptionValue('exitCode', 1);
        return;
      }
      if (flags.format === 'json') {
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
