/** Serial number arithmetic (RFC 9260 §1.6, after RFC 1982) for 32-bit TSNs and 16-bit SSNs. */

/** a < b in TSN space. */
export const tsnLt = (a: number, b: number): boolean => ((a - b) | 0) < 0;
/** a <= b in TSN space. */
export const tsnLe = (a: number, b: number): boolean => ((a - b) | 0) <= 0;
/** a + n, wrapped to 32 bits. */
export const tsnAdd = (a: number, n: number): number => (a + n) >>> 0;
/** b - a as a signed distance. */
export const tsnDiff = (b: number, a: number): number => (b - a) | 0;
/** a < b in SSN space. */
export const ssnLt = (a: number, b: number): boolean => ((((a - b) << 16) >> 16) | 0) < 0;
