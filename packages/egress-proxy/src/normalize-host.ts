import { isIP } from 'node:net';
import { canonicalAddress } from './classify-address.js';

/** A host name or IP literal in one canonical spelling. */
export type NormalizedHost = { kind: 'name'; host: string } | { kind: 'address'; host: string; family: 4 | 6 };

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
// A last label that is a number makes the whole name an IPv4 address to a URL parser or resolver (`127.1`, `0x7f.1`).
const NUMERIC_LABEL = /^(?:0x[0-9a-f]*|[0-9]+)$/;

/**
 * Lower-cases a host, drops IPv6 brackets and one trailing dot, and canonicalises IP literals; null when it is neither
 * a DNS name nor an IP literal (including numeric shorthands such as `127.1` that resolvers would turn into loopback).
 */
export function normalizeHost(input: string): NormalizedHost | null {
  let host = input.trim().toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) {
    host = host.slice(1, -1);
    if (isIP(host) !== 6) return null;
  }
  const family = isIP(host);
  if (family === 4 || family === 6) {
    const canonical = canonicalAddress(host);
    return canonical ? { kind: 'address', host: canonical, family } : null;
  }
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host.length === 0 || host.length > 253) return null;
  const labels = host.split('.');
  if (!labels.every((label) => LABEL.test(label))) return null;
  if (NUMERIC_LABEL.test(labels.at(-1) ?? '')) return null;
  return { kind: 'name', host };
}
