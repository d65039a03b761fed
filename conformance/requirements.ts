/**
 * The requirements of `registrar-behaviour.md` a remote party can observe, with the level the
 * digest gives them. The digest says every RFC level is UNCONFIRMED (the RFC texts were not at
 * hand); `rsplib-only` marks reference-implementation behaviour, not an RFC rule.
 */
import type { Level, RequirementRef } from '../src/conformance/case.js';

/** Observable requirements and their level. */
export const REQUIREMENTS: Readonly<Record<string, Level>> = Object.freeze({
  'REG-1': 'MUST',
  'REG-2': 'MUST',
  'REG-3': 'MUST',
  'REG-4': 'MUST',
  'REG-5': 'MUST',
  'REG-6': 'MUST',
  'REG-7': 'MUST',
  'REG-8': 'rsplib-only',
  'REG-9': 'MUST',
  'REG-11': 'rsplib-only',
  'REG-12': 'MUST',
  'REG-13': 'MUST',
  'REG-14': 'rsplib-only',
  'RR-1': 'MUST',
  'RR-2': 'rsplib-only',
  'DR-1': 'MUST',
  'DR-2': 'MUST',
  'DR-3': 'rsplib-only',
  'HR-1': 'MUST',
  'HR-2': 'MUST',
  'HR-3': 'rsplib-only',
  'HR-4': 'MUST',
  'HR-6': 'MUST',
  'KA-1': 'MUST',
  'KA-2': 'MUST',
  'KA-3': 'MUST',
  'KA-4': 'MUST',
  'EU-2': 'SHOULD',
  'SA-1': 'MAY',
  'ST-1': 'MUST',
  'PP-1': 'MUST',
  'PP-2': 'MUST',
  'PP-3': 'MUST',
  'PP-4': 'MUST',
  'PP-5': 'rsplib-only',
  'PP-6': 'rsplib-only',
  'LS-1': 'MUST',
  'HU-1': 'MUST',
  'HU-2': 'MUST',
  'CK-1': 'MUST',
  'CK-2': 'SHOULD',
  'HT-1': 'MUST',
  'HT-2': 'MUST',
  'TO-1': 'MUST',
  'TO-2': 'MUST',
  'TO-3': 'MUST',
  'TO-4': 'MUST',
  'TO-5': 'rsplib-only',
  'TO-6': 'rsplib-only',
  'ER-1': 'MUST',
  'ER-2': 'SHOULD',
  'ER-3': 'rsplib-only',
  'T-3': 'rsplib-only',
  'T-4': 'rsplib-only',
  'T-6': 'rsplib-only',
});

/**
 * Requirements deliberately without a case, and why (not observable from outside, or the
 * other party's obligation).
 */
export const NOT_COVERED: Readonly<Record<string, string>> = Object.freeze({
  'T-1': 'transport choice; every case runs over SCTP (network target) or its in-process stand-in',
  'T-2': 'UDP multicast of Presence is covered by the multicast cases of enrp/presence',
  'T-5': 'SCTP_AUTOCLOSE after 300 s idle is a socket option, visible only with the network target',
  'EU-1': 'PU-side obligation',
  'SA-2': 'PE/PU-side obligation',
  'ST-2': 'start-up of the target itself; the driver cannot restart a remote registrar',
  'ST-3': 'other implementations only',
  'REG-10': 'unsupported/legacy policy types cannot be encoded in the RFC profile by the codecs; covered by the registrar unit tests',
  'HR-5': 'rate limit is off unless configured; not in the target description',
});

/** A requirement reference with the registry's level; throws on an unknown ID (a typo in a case). */
export function req(id: string, level?: Level): RequirementRef {
  const known = REQUIREMENTS[id];
  if (known === undefined) throw new Error(`unknown requirement ${id}`);
  return { id, level: level ?? known };
}
