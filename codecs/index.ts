/**
 * rserpool-harness codecs: typed ASAP (RFC 5352) and ENRP (RFC 5353) messages with the parameters
 * of RFC 5354 and the policies of RFC 5356.
 */
export * from './types.js';
export * from './constants.js';
export { DecodeError, EncodeError, ERR, type ErrorCode, type CauseToSend } from './errors.js';
export { decode, encode, encodingLength, parameterOffset, type DecodeOptions, type DecodeResult } from './message.js';
export type { Mode, Tolerance, UnknownParameter } from './wire.js';
export { ipv4Address, ipv6Address } from './params/address.js';
export { sctpTransport, tcpTransport, udpTransport, udpLiteTransport, dccpTransport } from './params/transport.js';
export { policyParameter, legacyPolicyName } from './params/policy.js';
export {
  poolHandleParameter,
  cookieParameter,
  peIdentifierParameter,
  peChecksumParameter,
  handleResolutionOptionParameter,
} from './params/simple.js';
export { poolElementParameter } from './params/pool-element.js';
export { serverInformationParameter } from './params/server-information.js';
export { operationErrorParameter } from './params/operation-error.js';
export type { ParamCodec, ParamDecodeOptions } from './params/codec.js';
export { toJson, messageFromJson, type Json } from './json.js';
export { tsharkFields, type TsharkFields } from './tshark.js';
