// One rule for "is this evidence about the same host?", used wherever probe evidence meets collector
// evidence (evaluate --probe, mergeNetworkEvidence). A host is known by its FQDN and its short (NetBIOS-
// like) name; one probed by address also by that address and the DNS name its rootDSE reported. Two
// snapshots are the same host when they share a name, when a short name is the first label of the other's
// FQDN, or when they share an address. Nothing else: an address alone no longer matches any host.
import { isIP } from "node:net";
import type { Snapshot } from "./snapshot";

const norm = (s: string) => s.trim().toLowerCase().replace(/\.$/, "");

export interface HostIdentity {
  names: string[];
  addresses: string[];
}

export function hostIdentity(s: Snapshot): HostIdentity {
  const names = new Set<string>();
  const addresses = new Set<string>();
  const add = (value: string | null | undefined) => {
    if (!value || !value.trim()) return;
    const v = norm(value);
    (isIP(v) ? addresses : names).add(v);
  };
  add(s.host.fqdn);
  add(s.host.computerName);
  // The snapshot's own name wins; only a host known by address is also known by what it answered.
  if (isIP(norm(s.host.fqdn))) {
    for (const ep of s.network?.endpoints ?? []) {
      add(ep.host);
      add(ep.ldap?.rootDse?.dnsHostName);
    }
  }
  return { names: [...names], addresses: [...addresses] };
}

function namesMatch(a: string, b: string): boolean {
  if (a === b) return true;
  // A short name stands for the FQDN whose first label it is (dc1 ~ dc1.corp.example.test).
  return (!a.includes(".") && b.split(".")[0] === a) || (!b.includes(".") && a.split(".")[0] === b);
}

export function sameHost(a: Snapshot, b: Snapshot): boolean {
  const x = hostIdentity(a);
  const y = hostIdentity(b);
  return x.names.some((n) => y.names.some((m) => namesMatch(n, m))) || x.addresses.some((ip) => y.addresses.includes(ip));
}
