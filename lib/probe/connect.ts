// One connection: DNS -> TCP -> (StartTLS) -> TLS, under one deadline. Every socket opened here is
// destroyed by `close()`, and the deadline destroys them too, so a hostile peer costs at most the timeout.
import { promises as dnsp, Resolver } from "node:dns";
import { isIP, Socket, connect as netConnect } from "node:net";
import * as tls from "node:tls";
import { MAX_STARTTLS_RESPONSE, NOTICE_OF_DISCONNECTION_OID, parseExtendedResponse, RESULT_CODES, startTlsRequest, BerError } from "./ber";
import { classify, ProbeError, Stage, timeoutFailure } from "./failure";
import type { ProbeFailure } from "../snapshot";
import { MAX_PRESENTED_CHAIN } from "../limits";

/** Longest presented chain the probe records (lib/limits.ts). */
export const MAX_CHAIN = MAX_PRESENTED_CHAIN;

export interface TlsSettings {
  ca?: Array<string | Buffer>;
  servername?: string;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  ciphers?: string;
}

export interface Handshake {
  socket: tls.TLSSocket;
  address: string;
  protocol: string | null;
  cipher: string | null;
  chain: Buffer[];
  authorized: boolean;
  authorizationError: string | null;
  hostnameMatches: boolean | null;
}

/** A deadline shared by every step of one connection attempt. */
export class Attempt {
  stage: Stage = "dns";
  private readonly sockets = new Set<Socket>();
  private timer: NodeJS.Timeout | null = null;
  private expired = false;
  private rejectors = new Set<(e: unknown) => void>();

  constructor(readonly timeoutMs: number) {
    this.timer = setTimeout(() => this.expire(), timeoutMs);
    this.timer.unref?.();
  }

  private expire(): void {
    this.expired = true;
    const err = new ProbeError(timeoutFailure(this.stage, this.timeoutMs));
    for (const r of this.rejectors) r(err);
    this.rejectors.clear();
    this.destroyAll();
  }

  get timedOut(): boolean {
    return this.expired;
  }

  track<T extends Socket>(s: T): T {
    this.sockets.add(s);
    s.on("error", () => undefined); // errors are handled by the step that waits on the socket
    s.once("close", () => this.sockets.delete(s));
    return s;
  }

  /** Forget a socket another one took over (a TLSSocket owns the TCP handle it wraps: destroying both crashes Node). */
  untrack(s: Socket): void {
    this.sockets.delete(s);
  }

  /** Run a step: rejects with a timeout failure once the deadline passes. */
  run<T>(stage: Stage, fn: () => Promise<T>): Promise<T> {
    this.stage = stage;
    if (this.expired) return Promise.reject(new ProbeError(timeoutFailure(stage, this.timeoutMs)));
    return new Promise<T>((resolve, reject) => {
      this.rejectors.add(reject);
      fn().then(
        (v) => {
          this.rejectors.delete(reject);
          resolve(v);
        },
        (e) => {
          this.rejectors.delete(reject);
          reject(e instanceof ProbeError ? e : this.expired ? new ProbeError(timeoutFailure(stage, this.timeoutMs)) : new ProbeError(classify(e, stage)));
        },
      );
    });
  }

  destroyAll(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.rejectors.clear();
    this.destroyAll();
  }
}

export async function resolveHost(host: string, dnsServers?: string[]): Promise<string> {
  if (isIP(host)) return host;
  if (dnsServers?.length) {
    const r = new Resolver({ timeout: 3000, tries: 1 });
    r.setServers(dnsServers);
    const a = await new Promise<string[]>((resolve, reject) => r.resolve4(host, (e, addrs) => (e ? reject(e) : resolve(addrs))));
    if (!a.length) throw Object.assign(new Error(`${host}: no A record`), { code: "ENODATA" });
    return a[0];
  }
  const { address } = await dnsp.lookup(host);
  return address;
}

export function tcpConnect(attempt: Attempt, address: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = attempt.track(netConnect({ host: address, port }));
    s.once("connect", () => {
      s.removeListener("error", reject);
      resolve(s);
    });
    s.once("error", reject);
  });
}

/** Send the StartTLS extended operation and wait for success; any other answer is a typed failure. */
export function startTls(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const fail = (f: ProbeFailure) => {
      cleanup();
      reject(new ProbeError(f));
    };
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      let res;
      try {
        res = parseExtendedResponse(buf);
      } catch (e) {
        return fail({ kind: "protocol", stage: "starttls", code: null, message: `StartTLS: ${(e as BerError).message}` });
      }
      if (!res) {
        if (buf.length > MAX_STARTTLS_RESPONSE) fail({ kind: "protocol", stage: "starttls", code: null, message: "StartTLS: answer too large" });
        return;
      }
      if (res.resultCode !== 0 || res.responseName === NOTICE_OF_DISCONNECTION_OID) {
        const name = RESULT_CODES[res.resultCode] ?? "unknown";
        return fail({
          kind: "starttls-refused",
          stage: "starttls",
          code: `ldap-${res.resultCode}`,
          message: `the server refused StartTLS: ${res.resultCode} ${name}${res.diagnosticMessage ? `: ${res.diagnosticMessage}` : ""}`,
        });
      }
      cleanup();
      resolve();
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    const onClose = () => fail({ kind: "reset", stage: "starttls", code: "ECONNRESET", message: "the server closed the connection instead of answering StartTLS" });
    const cleanup = () => {
      socket.removeListener("data", onData);
      socket.removeListener("error", onError);
      socket.removeListener("close", onClose);
    };
    socket.on("data", onData);
    socket.once("error", onError);
    socket.once("close", onClose);
    socket.write(startTlsRequest(1));
  });
}

/**
 * Presented chain, leaf first, from Node's view of the peer (stops at a self-issued certificate or a loop).
 * `peer` is that view when the handshake already produced it (see tlsHandshake), else it is read here.
 */
export function presentedChain(socket: tls.TLSSocket, peer?: tls.DetailedPeerCertificate): Buffer[] {
  const out: Buffer[] = [];
  const seen = new Set<string>();
  let c: tls.DetailedPeerCertificate | undefined = peer ?? (socket.getPeerCertificate(true) as tls.DetailedPeerCertificate);
  while (c && c.raw && out.length < MAX_CHAIN) {
    const fp = c.fingerprint256;
    if (seen.has(fp)) break;
    seen.add(fp);
    out.push(Buffer.from(c.raw));
    const next: tls.DetailedPeerCertificate | undefined = c.issuerCertificate;
    if (!next || next === c || next.fingerprint256 === fp) break;
    c = next;
  }
  return out;
}

/**
 * One secure context per CA set and version/cipher settings, shared by every connection that uses them.
 * A context is what parses the CA certificates into an OpenSSL store; made per connection, it was about a
 * fifth of a probe's wall time (issue 17). Keyed by the `ca` array itself: a run passes one array to
 * every endpoint, and a context made from it is never used for another. A shared context does not resume
 * sessions (Node's client contexts keep no internal session cache; `session` is never passed).
 */
const contexts = new WeakMap<object, Map<string, tls.SecureContext>>();

/**
 * The CA set of version-only handshakes: none. Node reads the whole presented chain (getPeerCertificate(true))
 * for its identity check whenever a chain verifies; with no trust anchor nothing verifies, so a handshake
 * that only asks which version the server accepts costs neither chain verification nor extraction.
 */
export const NO_TRUST_ANCHORS: string[] = [];
const DEFAULT_ROOTS = {};

export function secureContextFor(settings: TlsSettings): tls.SecureContext {
  const bySettings = contexts.get(settings.ca ?? DEFAULT_ROOTS) ?? new Map<string, tls.SecureContext>();
  contexts.set(settings.ca ?? DEFAULT_ROOTS, bySettings);
  const key = `${settings.minVersion ?? ""}\0${settings.maxVersion ?? ""}\0${settings.ciphers ?? ""}`;
  let context = bySettings.get(key);
  if (!context) {
    context = tls.createSecureContext({
      ...(settings.ca ? { ca: settings.ca } : {}),
      ...(settings.minVersion ? { minVersion: settings.minVersion } : {}),
      ...(settings.maxVersion ? { maxVersion: settings.maxVersion } : {}),
      ...(settings.ciphers ? { ciphers: settings.ciphers } : {}),
    });
    bySettings.set(key, context);
  }
  return context;
}

/**
 * The TLS socket, and the peer's certificate chain as Node read it for its identity check. Node reads the
 * whole presented chain (getPeerCertificate(true)) and hands it to `checkServerIdentity` whenever the chain
 * verified; keeping that object spares reading the chain again for the evidence and the name check (issue 17:
 * each read builds every certificate's fields, ~7% of a probe's time in the profile). Absent when the chain
 * did not verify (Node then does not read it).
 */
interface Established {
  socket: tls.TLSSocket;
  peer?: tls.DetailedPeerCertificate;
}

function tlsHandshake(socket: Socket, settings: TlsSettings, attempt: Attempt): Promise<Established> {
  return new Promise((resolve, reject) => {
    let peer: tls.DetailedPeerCertificate | undefined;
    let secureContext: tls.SecureContext;
    try {
      secureContext = secureContextFor(settings);
    } catch (e) {
      reject(e);
      return;
    }
    const options: tls.ConnectionOptions = {
      socket,
      rejectUnauthorized: false,
      // Verification is recorded, not enforced: the probe must see the certificate it is judging.
      ...(settings.servername && !isIP(settings.servername) ? { servername: settings.servername } : {}),
      // CA set, versions and ciphers live in the (shared) context.
      secureContext,
      // Chain verification only; the name is checked separately (hostnameMatches), on the chain kept here.
      checkServerIdentity: (_name, cert) => {
        peer = cert as tls.DetailedPeerCertificate;
        return undefined;
      },
      // Never resume a session: each probe must see a full handshake and the certificate.
      session: undefined,
    };
    let s: tls.TLSSocket;
    try {
      s = attempt.track(tls.connect(options));
      attempt.untrack(socket);
    } catch (e) {
      reject(e);
      return;
    }
    const onClose = () => reject(Object.assign(new Error("the server closed the connection during the TLS handshake"), { code: "ECONNRESET" }));
    s.once("secureConnect", () => {
      s.removeListener("error", reject);
      s.removeListener("close", onClose);
      resolve({ socket: s, peer: peer?.raw ? peer : undefined });
    });
    s.once("error", reject);
    s.once("close", onClose);
  });
}

function hostnameCheck(name: string | undefined, socket: tls.TLSSocket, leaf?: tls.PeerCertificate): boolean | null {
  if (!name) return null;
  const peer = leaf ?? socket.getPeerCertificate();
  if (!peer || !peer.raw) return null;
  return tls.checkServerIdentity(name, peer) === undefined;
}

/**
 * DNS -> TCP -> optional StartTLS -> TLS. Throws ProbeError (typed failure) on any step; on success the
 * caller owns the returned socket but the attempt still tracks it (attempt.close() destroys it).
 */
export async function openTls(
  attempt: Attempt,
  target: { host: string; port: number; mode: "ldaps" | "starttls"; dnsServers?: string[] },
  settings: TlsSettings,
  addressOut?: { address: string | null },
  /** A version probe only asks which protocol was agreed: no chain extraction, no name check. */
  versionOnly = false,
): Promise<Handshake> {
  const address = await attempt.run("dns", () => resolveHost(target.host, target.dnsServers));
  if (addressOut) addressOut.address = address;
  const tcp = await attempt.run("tcp", () => tcpConnect(attempt, address, target.port));
  if (target.mode === "starttls") await attempt.run("starttls", () => startTls(tcp));
  const { socket, peer } = await attempt.run("tls", () => tlsHandshake(tcp, settings, attempt));
  const cipher = socket.getCipher();
  if (versionOnly) {
    return { socket, address, protocol: socket.getProtocol() ?? null, cipher: cipher?.standardName ?? cipher?.name ?? null, chain: [], authorized: socket.authorized, authorizationError: null, hostnameMatches: null };
  }
  const name = settings.servername ?? (isIP(target.host) ? target.host : target.host);
  return {
    socket,
    address,
    protocol: socket.getProtocol() ?? null,
    cipher: cipher?.standardName ?? cipher?.name ?? null,
    chain: presentedChain(socket, peer),
    authorized: socket.authorized,
    authorizationError: socket.authorizationError ? String(socket.authorizationError) : null,
    hostnameMatches: hostnameCheck(name, socket, peer),
  };
}
