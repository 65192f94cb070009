// probe --ciphers: which cipher suites the server accepts, per protocol version it accepts.
//
// Method (the one nmap's ssl-enum-ciphers and testssl.sh use, https://nmap.org/nsedoc/scripts/ssl-enum-ciphers.html):
// offer every candidate suite at once, note the one the server picks, take it out and offer the rest again,
// until the server refuses (a handshake_failure alert) or nothing is left. A version costs (accepted + 1)
// handshakes, not one per suite, and the order of the accepted list is the server's preference.
//
// What this cannot see: suites the local TLS library cannot offer. Node's OpenSSL here (3.0) has no RC4,
// DES or 3DES suites at any security level, and no SSLv3; those suites are listed as `untestable`, never as
// refused. Each handshake is a full one (the probe must complete it to learn which suite was agreed).
import * as tls from "node:tls";
import { CIPHER_SUITES, CipherSuite, suiteByName, suitesFor } from "../cipher-suites";
import type { CipherEvidence, VersionCipherEvidence } from "../snapshot";
import { Attempt, NO_TRUST_ANCHORS, openTls, TlsSettings } from "./connect";
import { ProbeError, classify } from "./failure";
import type { TlsVersion } from "./types";

/** Handshakes one endpoint may cost the server at most (every version together). */
export const DEFAULT_MAX_CIPHER_HANDSHAKES = 64;

export type { CipherEvidence };
type VersionCiphers = VersionCipherEvidence;

/** The remaining time of the endpoint's cipher enumeration (lib/probe/endpoint.ts Deadline). */
export interface RemainingTime {
  remaining(): number;
}

export interface CipherProbeTarget {
  host: string;
  port: number;
  mode: "ldaps" | "starttls";
  servername?: string;
  dnsServers?: string[];
}

export interface CipherProbeOptions {
  /** Cap on handshakes for this endpoint (default DEFAULT_MAX_CIPHER_HANDSHAKES). */
  maxHandshakes?: number;
}

let offerable: Set<string> | null = null;

/**
 * The suites this process's OpenSSL can put in a ClientHello (at security level 0, so SHA-1/RSA-kx suites
 * count). Asked once per process: a secure context built from one suite alone fails with "no cipher match"
 * when the library lacks it.
 */
export function locallyOfferable(): Set<string> {
  if (offerable) return offerable;
  const tls13 = new Set(tls.getCiphers().map((c) => c.toLowerCase()));
  offerable = new Set(
    CIPHER_SUITES.filter((s) => {
      if (s.minVersion === "TLSv1.3") return tls13.has(s.openssl.toLowerCase());
      try {
        tls.createSecureContext({ ciphers: `${s.openssl}:@SECLEVEL=0` });
        return true;
      } catch {
        return false;
      }
    }).map((s) => s.name),
  );
  return offerable;
}

/** The client cipher settings that offer exactly these suites at this version. */
function offerSettings(version: TlsVersion, suites: CipherSuite[], servername: string | undefined): TlsSettings {
  const v = version as tls.SecureVersion;
  // TLS 1.3 suites and the older ones are separate lists in OpenSSL; Node takes both in `ciphers`, telling
  // them apart by the TLS_ prefix. Offering 1.3 suites only leaves the 1.2 list empty, and the reverse.
  const ciphers = version === "TLSv1.3" ? suites.map((s) => s.openssl).join(":") : `${suites.map((s) => s.openssl).join(":")}:@SECLEVEL=0`;
  return { ca: NO_TRUST_ANCHORS, servername, minVersion: v, maxVersion: v, ciphers };
}

type Outcome = { kind: "accepted"; suite: string } | { kind: "refused" } | { kind: "unknown"; reason: string };

async function offer(target: CipherProbeTarget, version: TlsVersion, suites: CipherSuite[], time: RemainingTime): Promise<Outcome> {
  const left = time.remaining();
  if (left <= 0) return { kind: "unknown", reason: "the endpoint's time ran out" };
  const attempt = new Attempt(left);
  try {
    const hs = await openTls(attempt, target, offerSettings(version, suites, target.servername), undefined, true);
    if (hs.protocol !== version) return { kind: "unknown", reason: `asked for ${version} only, the handshake agreed ${hs.protocol ?? "nothing"}` };
    const chosen = hs.cipher ? suiteByName(hs.cipher) : undefined;
    // OpenSSL aborts when a server picks a suite that was not offered; this guards the bookkeeping anyway.
    if (!chosen || !suites.includes(chosen)) return { kind: "unknown", reason: "the server agreed a suite that was not offered" };
    return { kind: "accepted", suite: chosen.name };
  } catch (e) {
    const f = e instanceof ProbeError ? e.failure : classify(e, attempt.stage);
    if (f.stage === "tls" && (f.kind === "tls-alert" || f.kind === "reset")) return { kind: "refused" };
    if (f.stage === "tls" && f.kind === "protocol" && /NO_SHARED_CIPHER|NO_CIPHERS|HANDSHAKE_FAILURE/i.test(`${f.code} ${f.message}`)) return { kind: "refused" };
    return { kind: "unknown", reason: `${f.kind} at ${f.stage ?? "?"}: ${f.message.split("\n")[0]}` };
  } finally {
    attempt.close();
  }
}

/** The handshake budget shared by an endpoint's versions (they run at once). */
class Budget {
  used = 0;
  constructor(readonly max: number) {}
  take(): boolean {
    if (this.used >= this.max) return false;
    this.used++;
    return true;
  }
}

async function enumerateVersion(target: CipherProbeTarget, version: TlsVersion, time: RemainingTime, budget: Budget): Promise<VersionCiphers> {
  const can = locallyOfferable();
  const candidates = suitesFor(version);
  const untestable = candidates.filter((s) => !can.has(s.name)).map((s) => s.name);
  let left = candidates.filter((s) => can.has(s.name));
  const accepted: string[] = [];
  let stopped: string | null = null;
  while (left.length > 0) {
    if (!budget.take()) {
      stopped = `the cap of ${budget.max} handshakes for this endpoint was reached`;
      break;
    }
    const o = await offer(target, version, left, time);
    if (o.kind === "refused") return { accepted, refused: left.map((s) => s.name), untestable, notTested: [], stopped: null };
    if (o.kind === "unknown") {
      stopped = o.reason;
      break;
    }
    accepted.push(o.suite);
    left = left.filter((s) => s.name !== o.suite);
  }
  return { accepted, refused: [], untestable, notTested: left.map((s) => s.name), stopped };
}

/**
 * The accepted suites of each version in `versions` (the ones the server accepted when offered alone).
 * Never throws: a timeout or a failure stops that version's enumeration, and what was not asked is listed
 * as notTested with the reason.
 */
export async function probeCiphers(target: CipherProbeTarget, versions: TlsVersion[], time: RemainingTime, options: CipherProbeOptions = {}): Promise<CipherEvidence> {
  const budget = new Budget(Math.max(1, Math.floor(options.maxHandshakes ?? DEFAULT_MAX_CIPHER_HANDSHAKES)));
  const results = await Promise.all(versions.map(async (v) => [v, await enumerateVersion(target, v, time, budget)] as const));
  return {
    handshakes: budget.used,
    maxHandshakes: budget.max,
    library: `OpenSSL ${process.versions.openssl}`,
    versions: Object.fromEntries(results),
  };
}
