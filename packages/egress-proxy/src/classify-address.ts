import { isIP, isIPv4 } from 'node:net';

/**
 * Where an IP address leads. Only `public` is reachable by default; the rest are the host's own services, the local
 * network, or addresses no one should dial (`reserved`: documentation, benchmarking, Teredo, unallocated, broadcast).
 */
export type AddressClass = 'public' | 'loopback' | 'private' | 'link_local' | 'multicast' | 'unspecified' | 'reserved';

type V4Range = readonly [base: number, bits: number, kind: AddressClass];

// IPv4 special-purpose ranges (RFC 6890 and friends). Anything not listed is public.
const V4_RANGES: readonly V4Range[] = [
  [v4('0.0.0.0'), 8, 'unspecified'],
  [v4('10.0.0.0'), 8, 'private'],
  [v4('100.64.0.0'), 10, 'private'], // CGNAT (RFC 6598)
  [v4('127.0.0.0'), 8, 'loopback'],
  [v4('169.254.0.0'), 16, 'link_local'], // includes the cloud metadata endpoint 169.254.169.254
  [v4('172.16.0.0'), 12, 'private'],
  [v4('192.0.0.0'), 24, 'reserved'],
  [v4('192.0.2.0'), 24, 'reserved'],
  [v4('192.88.99.0'), 24, 'reserved'],
  [v4('192.168.0.0'), 16, 'private'],
  [v4('198.18.0.0'), 15, 'reserved'],
  [v4('198.51.100.0'), 24, 'reserved'],
  [v4('203.0.113.0'), 24, 'reserved'],
  [v4('224.0.0.0'), 4, 'multicast'],
  [v4('240.0.0.0'), 4, 'reserved'], // includes 255.255.255.255
];

/**
 * Classifies an IPv4 or IPv6 address (a zone suffix such as `%eth0` is ignored). IPv6 forms that carry an IPv4
 * address (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are judged by the
 * IPv4 address inside, so `::ffff:127.0.0.1` is loopback. A string that is not an IP address is `reserved`. Pure.
 * @example classifyAddress('10.1.2.3') // 'private'
 */
export function classifyAddress(address: string): AddressClass {
  const bare = address.split('%')[0] ?? '';
  if (isIPv4(bare)) return classifyV4(v4(bare));
  const groups = parseIPv6(bare);
  return groups ? classifyV6(groups) : 'reserved';
}

function classifyV4(value: number): AddressClass {
  for (const [base, bits, kind] of V4_RANGES) {
    if (bits === 0 || value >>> (32 - bits) === base >>> (32 - bits)) return kind;
  }
  return 'public';
}

function classifyV6(g: readonly number[]): AddressClass {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const embedded = (hi: number, lo: number): number => ((hi << 16) | lo) >>> 0;
  const firstFive = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (firstFive && g5 === 0 && g6 === 0) return g7 === 0 ? 'unspecified' : g7 === 1 ? 'loopback' : classifyV4(embedded(g6, g7));
  if (firstFive && g5 === 0xffff) return classifyV4(embedded(g6, g7)); // IPv4-mapped
  if (firstFive && g5 === 0) return classifyV4(embedded(g6, g7)); // IPv4-compatible (deprecated)
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return classifyV4(embedded(g6, g7)); // NAT64
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return 'private'; // local-use NAT64 (RFC 8215)
  if (g0 === 0x2002) return classifyV4(embedded(g1, g2)); // 6to4
  if (g0 === 0x2001 && g1 === 0) return 'reserved'; // Teredo
  if (g0 === 0x2001 && g1 === 0x0db8) return 'reserved'; // documentation
  if (g0 === 0x0100 && g1 === 0 && g2 === 0 && g3 === 0) return 'reserved'; // discard-only
  if ((g0 & 0xfe00) === 0xfc00) return 'private'; // ULA fc00::/7
  if ((g0 & 0xffc0) === 0xfe80) return 'link_local';
  if ((g0 & 0xffc0) === 0xfec0) return 'private'; // site-local (deprecated)
  if ((g0 & 0xff00) === 0xff00) return 'multicast';
  if ((g0 & 0xe000) === 0x2000) return 'public'; // global unicast 2000::/3
  return 'reserved';
}

/** The eight 16-bit groups of an IPv6 address, or null when it is not one. */
export function parseIPv6(text: string): number[] | null {
  if (isIP(text) !== 6) return null;
  let head = text;
  const tail: number[] = [];
  const lastColon = head.lastIndexOf(':');
  const maybeV4 = head.slice(lastColon + 1);
  if (isIPv4(maybeV4)) {
    const value = v4(maybeV4);
    tail.push(value >>> 16, value & 0xffff);
    head = head.slice(0, lastColon + 1);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const toGroups = (part: string): number[] => (part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16)));
  const [left = '', right] = head.split('::');
  const leftGroups = toGroups(left);
  const rightGroups = right === undefined ? [] : toGroups(right);
  const missing = 8 - leftGroups.length - rightGroups.length - tail.length;
  if (right === undefined && missing !== 0) return null;
  const groups = [...leftGroups, ...new Array<number>(Math.max(missing, 0)).fill(0), ...rightGroups, ...tail];
  return groups.length === 8 && groups.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff) ? groups : null;
}

/**
 * The canonical text of an IP address, so two spellings of one address compare equal (`0:0::1` → `::1`); IPv4 is
 * returned as is; anything else null.
 */
export function canonicalAddress(text: string): string | null {
  if (isIPv4(text)) return text;
  const groups = parseIPv6(text);
  if (!groups) return null;
  try {
    return new URL(`http://[${groups.map((group) => group.toString(16)).join(':')}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
}

function v4(text: string): number {
  return text.split('.').reduce((value, octet) => ((value << 8) | Number(octet)) >>> 0, 0);
}
