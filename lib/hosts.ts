// One rule for "is this evidence about the same host?", used wherever probe evidence meets collector
// evidence (evaluate --probe, mergeNetworkEvidence). A host is known by its FQDN, its short (NetBIOS-like)
// name, and, when it was probed by address, by that address and the DNS name its rootDSE reported.
//
// Two snapshots are the same host when:
// - they share a fully qualified name (case and a trailing dot aside), or an address; or
// - one of them knows no fully qualified name at all, and its short name is the other's short name or
//   the first label of the other's FQDN (a probe of "dc1" for the collector's dc1.corp.example.test).
// When both know a fully qualified name, short names never decide: dc1.corp.example.test and
// dc1.fabrikam.test are different servers though both call themselves DC1, and evidence from one must
// never judge the other (N03 would compare one server's wire with another's store).
import { isIP } from "node:net";
import type { Snapshot } from "./snapshot";

const norm = (s: string) => s.trim().toLowerCase().replace(/\.$/, "");

export interface HostIdentity {
  /** Dotted DNS names. */
  fqdns: string[];
  /** Undotted names (computer or NetBIOS names, or a probe target given as a short name). */
  shortNames: string[];
  addresses: string[];
}

export function hostIdentity(s: Snapshot): HostIdentity {
  const fqdns = new Set<string>();
  const shortNames = new Set<string>();
  const addresses = new Set<string>();
  const add = (value: string | null | undefined) => {
    if (!value || !value.trim()) return;
    const v = norm(value);
    if (isIP(v)) addresses.add(v);
    else if (v.includes(".")) fqdns.add(v);
    else shortNames.add(v);
  };
  add(s.host.fqdn);
  add(s.host.computerName);
  // The snapshot's own name wins; only a host known by address or by a short name is also known by what it
  // answered (a probe of "dc1" that reached dc1.corp.example.test through the DNS suffix search says so in
  // its rootDSE, and must then not match a dc1.fabrikam.test).
  const own = norm(s.host.fqdn);
  if (isIP(own) || !own.includes(".")) {
    for (const ep of s.network?.endpoints ?? []) {
      add(ep.host);
      add(ep.ldap?.rootDse?.dnsHostName);
    }
  }
  return { fqdns: [...fqdns], shortNames: [...shortNames], addresses: [...addresses] };
}

/** How two snapshots are the same host: by FQDN or address (certain), by short name (only when one side has no FQDN), or not. */
export type HostMatch = "fqdn" | "address" | "short-name" | null;

export function hostMatch(a: Snapshot, b: Snapshot): HostMatch {
  const x = hostIdentity(a);
  const y = hostIdentity(b);
  if (x.fqdns.some((n) => y.fqdns.includes(n))) return "fqdn";
  if (x.addresses.some((ip) => y.addresses.includes(ip))) return "address";
  if (x.fqdns.length > 0 && y.fqdns.length > 0) return null;
  const shortOf = (h: HostIdentity) => new Set([...h.shortNames, ...h.fqdns.map((f) => f.split(".")[0])]);
  const xs = shortOf(x);
  return [...shortOf(y)].some((n) => xs.has(n)) ? "short-name" : null;
}

export function sameHost(a: Snapshot, b: Snapshot): boolean {
  return hostMatch(a, b) !== null;
}
