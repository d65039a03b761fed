/**
 * Textual IPv4/IPv6 addresses to and from octets. IPv6 text is canonical (RFC 5952: lower case,
 * longest run of two or more zero groups compressed, first run on ties, mapped IPv4 in dotted form),
 * so octets → text → octets is the identity.
 */

/** Four octets → dotted quad. */
export function ipv4ToText(b: Uint8Array, o = 0): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

/** Dotted quad → four octets, or null when the text is not one (no leading zeros, each ≤ 255). */
export function ipv4FromText(text: string): Uint8Array | null {
  const out = new Uint8Array(4);
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (digits === 0 || part > 3) return null;
      out[part++] = value;
      value = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      // A leading zero would make "010" ambiguous (octal in some parsers): only "0" itself is allowed.
      if (digits > 0 && value === 0) return null;
      value = value * 10 + (c - 0x30);
      if (++digits > 3 || value > 255) return null;
    } else {
      return null;
    }
  }
  return part === 4 ? out : null;
}

/** Sixteen octets → RFC 5952 text. */
export function ipv6ToText(b: Uint8Array, o = 0): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((b[o + 2 * i]! << 8) | b[o + 2 * i + 1]!);
  // ::ffff:a.b.c.d (IPv4-mapped) is written with the IPv4 part dotted, as RFC 5952 §5 recommends.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${ipv4ToText(b, o + 12)}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hexes = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hexes.join(':');
  const head = hexes.slice(0, bestStart).join(':');
  const tail = hexes.slice(bestStart + bestLen).join(':');
  return `${head}::${tail}`;
}

// At module level rather than inside ipv6FromText: under tsx (esbuild keepNames) a named closure
// costs an Object.defineProperty on every call, and addresses are encoded for every fuzzing input.
/** Colon-separated hex groups (1–4 digits each) → their values, or null; '' → none. */
function parseGroups(part: string): number[] | null {
  if (part === '') return [];
  const out: number[] = [];
  for (const g of part.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    out.push(parseInt(g, 16));
  }
  return out;
}

/** IPv6 text (any valid form, including an embedded dotted IPv4 tail) → sixteen octets, or null. */
export function ipv6FromText(text: string): Uint8Array | null {
  let s = text;
  const tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (lastColon >= 0 && s.indexOf('.', lastColon) > 0) {
    const v4 = ipv4FromText(s.slice(lastColon + 1));
    if (!v4) return null;
    tail.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    // Drop the dotted part; keep a '::' that ends right before it, drop a lone separating ':'.
    s = s.slice(0, lastColon + 1);
    if (!s.endsWith('::')) s = s.slice(0, -1);
  }
  const want = 8 - tail.length;
  let groups: number[];
  const dbl = s.indexOf('::');
  if (dbl >= 0) {
    if (s.indexOf('::', dbl + 1) >= 0) return null;
    const left = parseGroups(s.slice(0, dbl));
    const right = parseGroups(s.slice(dbl + 2));
    if (!left || !right || left.length + right.length >= want) return null;
    groups = [...left, ...new Array<number>(want - left.length - right.length).fill(0), ...right];
  } else {
    const all = parseGroups(s);
    if (!all || all.length !== want) return null;
    groups = all;
  }
  groups.push(...tail);
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}
