// Probing one endpoint: the main handshake (chain, verification, name), LDAP over it, and optionally one
// handshake per TLS version. Never throws: every outcome is evidence.
import { isIP } from "node:net";
import type { SecureVersion } from "node:tls";
import type { EndpointEvidence } from "../snapshot";
import { Attempt, NO_TRUST_ANCHORS, openTls, TlsSettings } from "./connect";
import { ProbeError, classify } from "./failure";
import { probeVersionByHello } from "./hello";
import { ldapOverTls } from "./ldap";
import { probeCiphers } from "./ciphers";
import { EndpointResult, EndpointSpec, ProbeOptions, TLS_VERSIONS, TlsVersion } from "./types";

export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * OpenSSL 3 refuses to offer TLS 1.0/1.1 at its default security level (1): their handshake signatures
 * use SHA-1/MD5. Security level 0 lets the client offer them, so a "not accepted" answer is the server's.
 */
export const LEGACY_CIPHERS = "DEFAULT@SECLEVEL=0";

function settingsFor(spec: EndpointSpec, options: ProbeOptions): TlsSettings {
  return {
    ca: options.ca,
    servername: options.servername ?? (isIP(spec.host) ? undefined : spec.host),
  };
}

/**
 * The endpoint's deadline: every connection for it (the main one, LDAP over it, each version probe)
 * gets only the time left, so `timeoutMs` bounds the endpoint as a whole.
 */
export class Deadline {
  private readonly end: number;
  constructor(
    timeoutMs: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.end = clock() + timeoutMs;
  }
  /** Milliseconds left (0 once passed). */
  remaining(): number {
    return Math.max(0, this.end - this.clock());
  }
}

export async function probeEndpoint(spec: EndpointSpec, options: ProbeOptions = {}): Promise<EndpointResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const clock = options.clock ?? Date.now;
  const started = clock();
  const deadline = new Deadline(timeoutMs, clock);
  const settings = settingsFor(spec, options);
  const evidence: EndpointEvidence = {
    host: spec.host,
    address: null,
    port: spec.port,
    mode: spec.mode,
    purpose: spec.purpose,
    servername: settings.servername ?? null,
    failure: null,
    tls: null,
    versions: null,
    ldap: null,
  };
  const attempt = new Attempt(deadline.remaining());
  let discovered: string[] | undefined;
  const addr = { address: null as string | null };
  try {
    const hs = await openTls(attempt, { host: spec.host, port: spec.port, mode: spec.mode, dnsServers: options.dnsServers }, settings, addr);
    evidence.tls = {
      protocol: hs.protocol,
      cipher: hs.cipher,
      chain: hs.chain.map((c) => c.toString("base64")),
      authorized: hs.authorized,
      authorizationError: hs.authorizationError,
      hostnameMatches: hs.hostnameMatches,
    };
    const blocked = options.insecure
      ? null
      : !hs.authorized
        ? `not sending credentials: the certificate chain did not verify (${hs.authorizationError ?? "unknown reason"}); use --insecure to bind anyway`
        : hs.hostnameMatches === false
          ? `not sending credentials: the certificate does not name ${settings.servername ?? spec.host}; use --insecure to bind anyway`
          : null;
    const res = await attempt.run("ldap", () =>
      ldapOverTls(hs.socket, {
        host: spec.host,
        port: spec.port,
        timeoutMs: Math.max(1, deadline.remaining()), // ldapts reads 0 as "no timeout"
        credentials: options.credentials,
        bindBlockedReason: blocked,
        discoverDomainControllers: options.discoverDomainControllers,
      }),
    );
    evidence.ldap = res.ldap;
    discovered = res.discovered;
  } catch (e) {
    const failure = e instanceof ProbeError ? e.failure : classify(e, attempt.stage);
    if (failure.stage === "ldap") {
      // TLS worked; the LDAP step hit the deadline or broke.
      evidence.ldap = { rootDse: null, rootDseError: failure.message.split("\n")[0], bind: null };
    } else {
      evidence.failure = failure;
    }
  } finally {
    attempt.close();
    evidence.address = addr.address;
  }
  if (evidence.tls && options.versions !== false) {
    evidence.versions = await probeVersions(spec, options, deadline, evidence.tls.protocol);
  }
  if (evidence.versions && options.ciphers) {
    // probe --ciphers: its own deadline of timeoutMs, so the enumeration neither starves nor is starved by
    // the main connection; with --ciphers an endpoint costs at most two timeouts.
    const accepted = TLS_VERSIONS.filter((v) => evidence.versions?.[v] === true);
    evidence.ciphers = await probeCiphers(
      { host: spec.host, port: spec.port, mode: spec.mode, servername: settings.servername, dnsServers: options.dnsServers },
      accepted,
      new Deadline(timeoutMs, clock),
      { maxHandshakes: options.maxCipherHandshakes },
    );
  }
  evidence.durationMs = clock() - started;
  return { evidence, ...(discovered ? { discovered } : {}) };
}

/**
 * Which versions the server accepts when the client offers only that one. true = accepted, false = the
 * server refused (alert, reset or close), null = could not tell (a timeout or other failure).
 * `negotiated` is the version the endpoint's main handshake agreed on: accepted, so not asked again (the
 * server is spared one connection). The others are asked at once, each with one ClientHello that stops at
 * the server's ServerHello or alert (hello.ts): a refused version costs the server an alert, an accepted
 * one its first flight, and the prober no handshake crypto at all.
 */
export async function probeVersions(
  spec: EndpointSpec,
  options: ProbeOptions = {},
  deadline = new Deadline(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, options.clock),
  negotiated?: string | null,
): Promise<NonNullable<EndpointEvidence["versions"]>> {
  const { servername } = settingsFor(spec, options);
  // No time left (e.g. the main connection's LDAP step used it all): "could not tell", without connecting.
  if (deadline.remaining() <= 0) return Object.fromEntries(TLS_VERSIONS.map((v) => [v, null])) as NonNullable<EndpointEvidence["versions"]>;
  const results = await Promise.all(
    TLS_VERSIONS.map(async (v): Promise<[TlsVersion, boolean | null]> => {
      if (v === negotiated) return [v, true];
      const attempt = new Attempt(deadline.remaining());
      try {
        return [v, await probeVersionByHello(attempt, { host: spec.host, port: spec.port, mode: spec.mode, dnsServers: options.dnsServers }, v, servername)];
      } finally {
        attempt.close();
      }
    }),
  );
  return Object.fromEntries(results) as NonNullable<EndpointEvidence["versions"]>;
}

/**
 * The same question asked with a full Node TLS handshake offering only `version` (how probeVersions asked
 * before hello.ts): kept as the reference the ClientHello probe is proved against (test/probe/hello.test.ts).
 * null also when the local TLS library cannot offer the version.
 */
export async function probeVersionByHandshake(spec: EndpointSpec, version: TlsVersion, options: ProbeOptions = {}): Promise<boolean | null> {
  const attempt = new Attempt(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  try {
    const settings: TlsSettings = { ...settingsFor(spec, options), ca: NO_TRUST_ANCHORS, minVersion: version as SecureVersion, maxVersion: version as SecureVersion };
    if (version === "TLSv1" || version === "TLSv1.1") settings.ciphers = LEGACY_CIPHERS;
    const hs = await openTls(attempt, { host: spec.host, port: spec.port, mode: spec.mode, dnsServers: options.dnsServers }, settings, undefined, true);
    return hs.protocol === version;
  } catch (e) {
    const f = e instanceof ProbeError ? e.failure : classify(e, attempt.stage);
    if (f.stage !== "tls") return null;
    if (f.kind === "tls-alert" || f.kind === "reset") return false;
    // Client-side refusals ("no protocols available", unsupported) say nothing about the server;
    // a version/cipher mismatch detected locally does.
    if (f.kind === "protocol" && /WRONG_VERSION|UNSUPPORTED_PROTOCOL|NO_SHARED|NO_CIPHERS|VERSION_TOO_LOW|VERSION_TOO_HIGH|NO_SUITABLE/i.test(`${f.code} ${f.message}`)) {
      return /NO_PROTOCOLS_AVAILABLE/i.test(`${f.code} ${f.message}`) ? null : false;
    }
    return null;
  } finally {
    attempt.close();
  }
}
