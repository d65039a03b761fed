/**
 * Small pieces for writing case tables: a case's identity apart from its body, and the factory
 * that joins the two.
 */
import type { CaseContext, ConformanceCase } from '../../src/conformance/case.js';

/** Everything of a case but its body: ID, rule, requirements, roles, needs and deadline. */
export type CaseMeta = Omit<ConformanceCase, 'run'>;

/** A case from its identity and its body (a case factory's last step). */
export function caseOf(meta: CaseMeta, run: (ctx: CaseContext) => Promise<void>): ConformanceCase {
  return { ...meta, run };
}
