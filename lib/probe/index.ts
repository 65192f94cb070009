// The network probe: what LDAP clients see on 636 (LDAPS), 3269 (GC over TLS) and 389 (StartTLS).
// `probeHosts` returns one snapshot per host (collector "ldaps-audit-probe") for the facts -> profile pipeline.
import { sameHost } from "../hosts";
import { isIP } from "node:net";
import { InputError } from "../errors";
import type { EndpointEvidence, Snapshot } from "../snapshot";
import { toolVersion } from "../version";
import { discoverByDns } from "./discover";
import { DEFAULT_TIMEOUT_MS, probeEndpoint } from "./endpoint";
import type { EndpointSpec, ProbeOptions } from "./types";

export { probeEndpoint, probeVersions, DEFAULT_TIMEOUT_MS, LEGACY_CIPHERS } from "./endpoint";
export { discoverByDns } from "./discover";
export { probeCiphers, locallyOfferable, DEFAULT_MAX_CIPHER_HANDSHAKES } from "./ciphers";
export type { ProbeOptions, EndpointSpec, Credentials, TlsVersion } from "./types";

export const DEFAULT_PORTS = [636, 3269, 389];
export const DEFAULT_CONCURRENCY = 32;
export const PROBE_COLLECTOR = "ldaps-audit-probe";

export interface HostTarget {
  host: string;
  /** Explicit port from "host:port"; absent = every port in `ports`. */
  port?: number;
}

/** "host", "host:port", "[v6]:port", "v6". */
export function parseTarget(text: string): HostTarget {
  const t = text.trim();
  if (!t) throw new InputError("empty host");
  let host = t;
  let port: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  if (bracket) {
    host = bracket[1];
    port = bracket[2];
  } else if ((t.match(/:/g) ?? []).length === 1) {
    [host, port] = t.split(":");
  }
  if (!isIP(host) && !/^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?\.?$/.test(host)) throw new InputError(`${JSON.stringify(text)}: not a host name or IP address`);
  if (port === undefined) return { host: host.replace(/\.$/, "") };
  const n = Number(port);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InputError(`${JSON.stringify(text)}: port must be 1-65535`);
  return { host: host.replace(/\.$/, ""), port: n };
}

/** 389 and 3268 speak plain LDAP (so StartTLS); everything else is probed as LDAPS. 3268/3269 are the GC. */
export function endpointFor(host: string, port: number): EndpointSpec {
  return { host, port, mode: port === 389 || port === 3268 ? "starttls" : "ldaps", purpose: port === 3268 || port === 3269 ? "gc" : "ldap" };
}

/** The ports of AD DS itself on a DC: plain LDAP, LDAPS and the GC's two. */
const DC_PORTS = [389, 636, 3268, 3269];

/**
 * Where probe --enforcement asks, given the ports being probed. When any of them is one of AD DS's own ports,
 * the checks go to AD DS's 389 (signing) and 636 (channel binding), as always. When none is (e.g.
 * `probe host:50636`, an AD LDS instance), asking 389/636 would judge another service of the same machine:
 * channel binding is checked on the target's own LDAPS port, and signing is not checked (null in the snapshot;
 * lib/facts/enforcement.ts says why), since that service's plain LDAP port is not known (endpointFor probes
 * a non-standard port as LDAPS).
 */
export function enforcementPorts(ports: number[]): { ldapPort: number | null; ldapsPort: number | null } {
  if (ports.some((p) => DC_PORTS.includes(p))) return { ldapPort: 389, ldapsPort: 636 };
  return { ldapPort: null, ldapsPort: ports[0] ?? null };
}

export interface HostProbeResult {
  snapshot: Snapshot;
  /** DCs listed in the directory (with --domain and a bind). */
  discovered: string[];
}

export async function probeHost(target: HostTarget, options: ProbeOptions & { ports?: number[] } = {}): Promise<HostProbeResult> {
  const ports = target.port ? [target.port] : options.ports ?? DEFAULT_PORTS;
  const probedAt = new Date().toISOString();
  const enforcement = options.enforcement
    ? import("./enforcement").then(({ probeEnforcement }) =>
        probeEnforcement({ host: target.host, ...enforcementPorts(ports), servername: options.servername, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, dnsServers: options.dnsServers }),
      )
    : undefined;
  const results = await Promise.all(ports.map((p) => probeEndpoint(endpointFor(target.host, p), options)));
  const endpoints: EndpointEvidence[] = results.map((r) => r.evidence);
  const discovered = [...new Set(results.flatMap((r) => r.discovered ?? []).map((h) => h.toLowerCase()))];
  const fqdn = (options.servername ?? target.host).toLowerCase();
  return {
    snapshot: {
      schemaVersion: 1,
      collectedAt: probedAt,
      collector: { name: PROBE_COLLECTOR, version: toolVersion() },
      host: { fqdn },
      network: {
        probedAt,
        prober: `ldaps-audit ${toolVersion()} (node ${process.versions.node}, OpenSSL ${process.versions.openssl})`,
        endpoints,
        ...(enforcement ? { enforcement: await enforcement } : {}),
      },
    },
    discovered,
  };
}

export interface RunOptions extends ProbeOptions {
  ports?: number[];
  concurrency?: number;
  /** Called after each host (done, total, host). */
  onProgress?: (done: number, total: number, host: string) => void;
  /** Discover DCs of this domain (DNS SRV, and the directory when credentials bind). */
  domain?: string;
}

/**
 * Probe many hosts with at most `concurrency` in flight. Each endpoint (version probes included) is
 * bounded by timeoutMs and a host's endpoints run in parallel, so one host costs at most one timeout.
 */
export async function probeHosts(targets: HostTarget[], options: RunOptions = {}): Promise<HostProbeResult[]> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY));
  const queue: HostTarget[] = [...targets];
  if (options.domain) {
    const dcs = await discoverByDns(options.domain, options.dnsServers);
    for (const dc of dcs) queue.push({ host: dc.host });
  }
  const key = (t: HostTarget) => `${t.host.toLowerCase()}:${t.port ?? ""}`;
  const seen = new Set<string>();
  const unique = queue.filter((t) => (seen.has(key(t)) ? false : (seen.add(key(t)), true)));
  const results: HostProbeResult[] = [];
  const slot: number[] = [];
  let next = 0;
  let done = 0;
  let discoverFrom = options.domain && options.credentials ? 1 : 0; // directory discovery: ask the first bound DC
  const worker = async (): Promise<void> => {
    while (next < unique.length) {
      const index = next++;
      const target = unique[index];
      const ask = discoverFrom > 0;
      if (ask) discoverFrom--;
      const r = await probeHost(target, { ...options, discoverDomainControllers: ask });
      results.push(r);
      slot.push(index);
      for (const h of r.discovered) {
        const t = { host: h };
        if (!seen.has(key(t))) {
          seen.add(key(t));
          unique.push(t);
        }
      }
      done++;
      options.onProgress?.(done, unique.length, target.host);
    }
  };
  const workers: Array<Promise<void>> = [];
  const spawn = () => {
    while (workers.length < concurrency && workers.length < unique.length) workers.push(worker());
  };
  spawn();
  // Hosts discovered in the directory may arrive after the first workers started.
  for (let i = 0; i < workers.length; i++) {
    await workers[i];
    spawn();
  }
  // Input order, then discovered hosts in the order found.
  return results.map((r, i) => ({ r, at: slot[i] })).sort((x, y) => x.at - y.at).map((x) => x.r);
}

/**
 * Merge a probe snapshot's network evidence into a collector snapshot of the same host (for N03: store
 * prediction vs wire). Endpoints from the probe replace those with the same port and mode.
 */
export function mergeNetworkEvidence(snapshot: Snapshot, probe: Snapshot): Snapshot {
  if (!probe.network) throw new InputError(`the probe snapshot for ${probe.host.fqdn} has no network evidence`);
  if (!sameHost(snapshot, probe)) {
    throw new InputError(`the probe snapshot is for ${probe.host.fqdn}, the collector snapshot for ${snapshot.host.fqdn}`);
  }
  const k = (e: EndpointEvidence) => `${e.port}/${e.mode}`;
  const fresh = new Set(probe.network.endpoints.map(k));
  const kept = (snapshot.network?.endpoints ?? []).filter((e) => !fresh.has(k(e)));
  return {
    ...snapshot,
    network: {
      ...(probe.network.probedAt ? { probedAt: probe.network.probedAt } : {}),
      ...(probe.network.prober ? { prober: probe.network.prober } : {}),
      endpoints: [...kept, ...probe.network.endpoints],
    },
  };
}
