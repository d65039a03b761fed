/**
 * Remembers which recent TSNs of one SCTP direction were already seen, so that retransmitted
 * DATA/I-DATA chunks are recognised (transports.md §5.7). A fixed bitmap over the newest
 * {@link TSN_WINDOW} TSNs keeps the memory per direction constant; TSNs compare in serial-number
 * arithmetic (RFC 1982), since they wrap at 2^32.
 */

/** How many TSNs behind the newest one are still remembered. */
export const TSN_WINDOW = 4096;

const MASK = TSN_WINDOW - 1;
const HALF = 0x80000000;

/** Per-direction duplicate detector; see the module comment. */
export class TsnWindow {
  private readonly bits = new Uint8Array(TSN_WINDOW / 8);
  private highest = 0;
  private empty = true;

  /**
   * Records `tsn` and tells whether it was seen before. A TSN older than the window counts as
   * seen: only a retransmission can arrive that late.
   */
  check(tsn: number): 'new' | 'duplicate' | 'stale' {
    if (this.empty) {
      this.empty = false;
      this.highest = tsn;
      this.set(tsn);
      return 'new';
    }
    const ahead = (tsn - this.highest) >>> 0;
    if (ahead === 0) return 'duplicate';
    if (ahead < HALF) {
      if (ahead >= TSN_WINDOW) this.bits.fill(0);
      else for (let i = 1; i <= ahead; i++) this.clear((this.highest + i) >>> 0);
      this.highest = tsn;
      this.set(tsn);
      return 'new';
    }
    const behind = (this.highest - tsn) >>> 0;
    if (behind >= TSN_WINDOW) return 'stale';
    if (this.get(tsn)) return 'duplicate';
    this.set(tsn);
    return 'new';
  }

  private get(tsn: number): boolean {
    const i = tsn & MASK;
    return (this.bits[i >> 3]! & (1 << (i & 7))) !== 0;
  }

  private set(tsn: number): void {
    const i = tsn & MASK;
    this.bits[i >> 3]! |= 1 << (i & 7);
  }

  private clear(tsn: number): void {
    const i = tsn & MASK;
    this.bits[i >> 3]! &= ~(1 << (i & 7));
  }
}
