import { describe, expect, it } from 'vitest';
import { ALL_CASES } from '../../conformance/index.js';
import { NOT_COVERED, REQUIREMENTS } from '../../conformance/requirements.js';
import { CASE_ID_PATTERN } from '../../src/conformance/case.js';

describe('case registry', () => {
  it('has at least 80 cases with unique IDs matching the pattern', () => {
    expect(ALL_CASES.length).toBeGreaterThanOrEqual(80);
    const ids = ALL_CASES.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(CASE_ID_PATTERN);
  });

  it('every case names requirements with a level, a rule, and a positive deadline', () => {
    for (const c of ALL_CASES) {
      expect(c.requirements.length, c.id).toBeGreaterThan(0);
      expect(c.rule.length, c.id).toBeGreaterThan(10);
      expect(c.deadline, c.id).toBeGreaterThan(0);
      for (const r of c.requirements) expect(['MUST', 'SHOULD', 'MAY', 'rsplib-only']).toContain(r.level);
    }
  });

  it('every observable requirement of the digest has a case', () => {
    const covered = new Set(ALL_CASES.flatMap((c) => c.requirements.map((r) => r.id)));
    const missing = Object.keys(REQUIREMENTS).filter((id) => !covered.has(id));
    expect(missing).toEqual([]);
    for (const id of Object.keys(NOT_COVERED)) expect(REQUIREMENTS[id]).toBeUndefined();
  });

  it('covers every area the issue lists', () => {
    const prefixes = [
      'asap/registration/reject/', 'asap/registration/update/', 'asap/registration/lifetime/', 'asap/deregistration/',
      'asap/handle-resolution/policy/', 'asap/keep-alive/', 'asap/unreachable/', 'asap/server-announce/',
      'enrp/presence/', 'enrp/list/', 'enrp/handle-update/', 'enrp/handle-table/', 'enrp/takeover/',
      'errors/malformed/', 'errors/unknown-type/', 'errors/unknown-parameter/asap/', 'errors/unknown-parameter/enrp/',
    ];
    for (const p of prefixes) expect(ALL_CASES.some((c) => c.id.startsWith(p)), p).toBe(true);
  });
});
