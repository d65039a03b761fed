/**
 * Every conformance case, in run order. IDs are stable: never rename or reuse one.
 */
import type { ConformanceCase } from '../src/conformance/case.js';
import { deregistrationCases, registrationCases } from './asap-registration.js';
import { errorCases } from './errors.js';
import { listCases, presenceCases, tableCases, takeoverCases, updateCases } from './enrp.js';
import { announceCases, keepAliveCases, resolutionCases, unreachableCases } from './asap-services.js';

/** All cases. */
export const ALL_CASES: readonly ConformanceCase[] = [
  ...registrationCases,
  ...deregistrationCases,
  ...resolutionCases,
  ...keepAliveCases,
  ...unreachableCases,
  ...announceCases,
  ...presenceCases,
  ...listCases,
  ...updateCases,
  ...tableCases,
  ...takeoverCases,
  ...errorCases,
];
