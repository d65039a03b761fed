/** Hex helpers for tests. */
export const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/[\s:]/g, ''), 'hex'));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const text = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
