// Which TLS versions a server accepts, asked the cheap way (issue 17 item 4: "a refused version costs an
// alert, not a handshake"): send one ClientHello that offers only that version and read the server's first
// answer, its ServerHello (accepted, at the version it selected) or an alert (refused), then hang up. This is
// what nmap's ssl-enum-ciphers/tls.lua and testssl.sh do; no key exchange, certificate or Finished follows,
// so the prober spends no crypto and the server at most what its first flight costs:
// - TLS 1.3 is asked with an empty key_share (RFC 8446 4.2.8: "This vector MAY be empty if the client is
//   requesting a HelloRetryRequest"), so a TLS 1.3 server answers with a HelloRetryRequest (a ServerHello
//   that selects 1.3) before it computes a key share or signs anything;
// - TLS 1.0-1.2 offer RSA key transport suites first: a server that honours the client's order (OpenSSL's
//   and GnuTLS' default) then sends its certificate without signing a ServerKeyExchange. A server that only
//   allows (EC)DHE picks one of the (EC)DHE suites offered after them: the verdict is the same.
// The main handshake (chain, verification, name, LDAP) stays a full Node TLS handshake (connect.ts); this file
// only decides accepted / refused / could not tell. test/probe/hello.test.ts proves the verdicts equal Node's
// own handshakes on real peers and fuzzes the reader with hostile bytes.
import { randomBytes } from "node:crypto";
import { isIP, Socket } from "node:net";
import { Attempt, resolveHost, startTls, tcpConnect } from "./connect";
import { classify, ProbeError } from "./failure";
import type { TlsVersion } from "./types";

/**
 * Most bytes read from a server before its ServerHello or alert is complete. A ServerHello is well under
 * 1 KiB (a HelloRetryRequest cookie can add up to 64 KiB in theory, none seen in practice); a hostile peer
 * that streams more is "could not tell", never buffered further.
 */
export const MAX_HELLO_ANSWER_BYTES = 32 * 1024;

/** TLS record payload limit (RFC 8446 5.1: 2^14 for plaintext records; ServerHello and alerts are plaintext). */
const MAX_PLAINTEXT_RECORD = 1 << 14;

const WIRE_VERSION: Record<TlsVersion, number> = { TLSv1: 0x0301, "TLSv1.1": 0x0302, "TLSv1.2": 0x0303, "TLSv1.3": 0x0304 };
const VERSION_NAME = new Map<number, TlsVersion>(Object.entries(WIRE_VERSION).map(([k, v]) => [v, k as TlsVersion]));

/** TLS 1.3 suites (RFC 8446 B.4). */
const TLS13_SUITES = [0x1301, 0x1302, 0x1303, 0x1304, 0x1305];
/**
 * TLS 1.0-1.2 suites: RSA key transport first (no ServerKeyExchange to sign), then ECDHE and DHE, with AES,
 * ChaCha20 and 3DES, as Node offers at DEFAULT@SECLEVEL=0 (endpoint.ts LEGACY_CIPHERS). Suites that do not
 * exist in the offered version (GCM and SHA-256 ones in TLS 1.0/1.1) are ignored by servers (RFC 5246 7.4.1.2).
 */
const LEGACY_SUITES = [
  0x009c, 0x009d, 0x003c, 0x003d, 0x002f, 0x0035, // RSA: AES-GCM, AES-CBC-SHA256, AES-CBC-SHA
  0xc02f, 0xc030, 0xc02b, 0xc02c, 0xcca8, 0xcca9, // ECDHE: AES-GCM, ChaCha20
  0xc027, 0xc028, 0xc023, 0xc024, 0xc013, 0xc014, 0xc009, 0xc00a, // ECDHE: AES-CBC
  0x009e, 0x009f, 0xccaa, 0x0067, 0x006b, 0x0033, 0x0039, // DHE
  0x000a, 0xc012, 0xc008, 0x0016, // 3DES
  0x00ff, // TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746)
];
/** x25519, secp256r1, secp384r1, secp521r1, x448, ffdhe2048, ffdhe3072, ffdhe4096. */
const GROUPS = [0x001d, 0x0017, 0x0018, 0x0019, 0x001e, 0x0100, 0x0101, 0x0102];
/** RSA-PSS, ECDSA, EdDSA, RSA PKCS#1, then SHA-1 ones (legacy servers' only choice in TLS 1.2). */
const SIGNATURE_ALGORITHMS = [0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b, 0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0401, 0x0501, 0x0601, 0x0203, 0x0201];

const u8 = (n: number) => Buffer.from([n & 0xff]);
const u16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const u24 = (n: number) => Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
const list16 = (values: number[]) => Buffer.concat([u16(values.length * 2), ...values.map(u16)]);
const vec16 = (b: Buffer) => Buffer.concat([u16(b.length), b]);
const extension = (type: number, body: Buffer) => Buffer.concat([u16(type), vec16(body)]);

/** A DNS name SNI may carry (RFC 6066 3: no IP literals, no trailing dot). */
function sniName(servername: string | undefined): string | null {
  if (!servername || isIP(servername)) return null;
  const name = servername.replace(/\.$/, "");
  return /^[A-Za-z0-9_.-]{1,253}$/.test(name) ? name : null;
}

/** The ClientHello record that offers `version` and nothing else. */
export function clientHello(version: TlsVersion, servername?: string): Buffer {
  const tls13 = version === "TLSv1.3";
  const extensions: Buffer[] = [];
  const sni = sniName(servername);
  if (sni) {
    const host = Buffer.from(sni, "ascii");
    extensions.push(extension(0x0000, vec16(Buffer.concat([u8(0), vec16(host)]))));
  }
  extensions.push(extension(0x000a, list16(GROUPS)));
  extensions.push(extension(0x000b, Buffer.from([1, 0]))); // ec_point_formats: uncompressed
  if (version === "TLSv1.2" || tls13) extensions.push(extension(0x000d, list16(SIGNATURE_ALGORITHMS)));
  extensions.push(extension(0x0017, Buffer.alloc(0))); // extended_master_secret
  if (tls13) {
    extensions.push(extension(0x002b, Buffer.from([2, 0x03, 0x04]))); // supported_versions: TLS 1.3 only
    extensions.push(extension(0x0033, u16(0))); // key_share: empty, asks for a HelloRetryRequest
  }
  const body = Buffer.concat([
    u16(tls13 ? 0x0303 : WIRE_VERSION[version]), // legacy_version: 1.3 is offered in supported_versions
    randomBytes(32),
    u8(0), // no session id: nothing to resume
    list16(tls13 ? TLS13_SUITES : LEGACY_SUITES),
    Buffer.from([1, 0]), // compression: null only
    vec16(Buffer.concat(extensions)),
  ]);
  const handshake = Buffer.concat([u8(1), u24(body.length), body]);
  // Record version 0x0301 for every ClientHello, as OpenSSL and browsers send (some servers refuse others).
  return Buffer.concat([u8(22), u16(0x0301), u16(handshake.length), handshake]);
}

export type HelloVerdict =
  /** Still reading: the ServerHello or alert is not complete yet. */
  | { state: "more" }
  /** The server selected a version (a ServerHello or HelloRetryRequest). */
  | { state: "hello"; version: TlsVersion | null; wireVersion: number }
  /** The server sent an alert (description code). */
  | { state: "alert"; description: number }
  /** Not TLS, malformed, or larger than MAX_HELLO_ANSWER_BYTES: the answer says nothing about versions. */
  | { state: "garbage"; reason: string };

/**
 * Reads the server's answer to a ClientHello as it arrives, chunk by chunk. Bounded: it keeps at most one
 * incomplete record and the ServerHello's fragments, refuses an answer larger than MAX_HELLO_ANSWER_BYTES,
 * looks at each byte a fixed number of times, and never throws (hostile bytes are a "garbage" verdict).
 */
export class ServerAnswerReader {
  /** Bytes received and not yet consumed as whole records, joined only once a whole header or record is there. */
  private chunks: Buffer[] = [];
  private pendingBytes = 0;
  /** The record whose header has been read and whose payload is awaited. */
  private record: { type: number; length: number } | null = null;
  private readonly fragments: Buffer[] = [];
  private handshakeBytes = 0;
  /** The ServerHello body's length, once its header is read. */
  private helloLength: number | null = null;
  private total = 0;
  private verdict: HelloVerdict = { state: "more" };

  /** Bytes taken in so far (never more than MAX_HELLO_ANSWER_BYTES). */
  get bytesRead(): number {
    return this.total;
  }

  /** Feed the next bytes; returns the verdict so far (final once it is not "more"). */
  push(chunk: Buffer): HelloVerdict {
    if (this.verdict.state !== "more") return this.verdict;
    const room = MAX_HELLO_ANSWER_BYTES - this.total;
    const taken = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.total += taken.length;
    if (taken.length) this.chunks.push(taken);
    this.pendingBytes += taken.length;
    while (this.verdict.state === "more") {
      const need = 5 + (this.record?.length ?? 0);
      if (this.pendingBytes < need) break;
      const pending = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
      this.chunks = [pending];
      if (!this.record) {
        const type = pending[0];
        const length = pending.readUInt16BE(3);
        if ((type !== 21 && type !== 22) || pending[1] !== 3) {
          this.verdict = { state: "garbage", reason: `not a TLS handshake or alert record (first bytes 0x${pending.subarray(0, 3).toString("hex")})` };
        } else if (length === 0 || length > MAX_PLAINTEXT_RECORD) {
          this.verdict = { state: "garbage", reason: `a TLS record of ${length} bytes` };
        } else {
          this.record = { type, length };
        }
        continue;
      }
      const { type, length } = this.record;
      const payload = pending.subarray(5, 5 + length);
      const rest = pending.subarray(5 + length);
      this.chunks = rest.length ? [rest] : [];
      this.pendingBytes = rest.length;
      this.record = null;
      this.verdict = type === 21 ? this.alert(payload) : this.handshake(payload);
    }
    if (this.verdict.state === "more" && this.total >= MAX_HELLO_ANSWER_BYTES) {
      this.verdict = { state: "garbage", reason: `no complete ServerHello in the first ${MAX_HELLO_ANSWER_BYTES} bytes` };
    }
    return this.verdict;
  }

  private alert(payload: Buffer): HelloVerdict {
    // An alert before any handshake message: the server refused the hello. (level, description)
    if (this.handshakeBytes > 0) return { state: "garbage", reason: "an alert inside a fragmented ServerHello" };
    if (payload.length < 2) return { state: "garbage", reason: "a truncated alert" };
    return { state: "alert", description: payload[1] };
  }

  private handshake(payload: Buffer): HelloVerdict {
    this.fragments.push(payload);
    this.handshakeBytes += payload.length;
    if (this.handshakeBytes < 4 + (this.helloLength ?? 0)) return { state: "more" };
    // Joined only when a header or the whole ServerHello is there; their total is capped by MAX_HELLO_ANSWER_BYTES.
    const hs = this.fragments.length === 1 ? this.fragments[0] : Buffer.concat(this.fragments);
    this.fragments.splice(0, this.fragments.length, hs);
    if (hs[0] !== 2) return { state: "garbage", reason: `the first handshake message is type ${hs[0]}, not a ServerHello` };
    this.helloLength = (hs[1] << 16) | (hs[2] << 8) | hs[3];
    if (this.helloLength > MAX_HELLO_ANSWER_BYTES) return { state: "garbage", reason: `a ServerHello of ${this.helloLength} bytes` };
    if (hs.length < 4 + this.helloLength) return { state: "more" };
    return serverHello(hs.subarray(4, 4 + this.helloLength));
  }
}

/** The verdict on a whole answer at once (tests, and the fuzzing of the reader). */
export function readServerAnswer(buf: Buffer): HelloVerdict {
  return new ServerAnswerReader().push(buf);
}

/** The version a ServerHello body selects: supported_versions when present (TLS 1.3, RFC 8446 4.2.1), else server_version. */
function serverHello(body: Buffer): HelloVerdict {
  const bad = (what: string): HelloVerdict => ({ state: "garbage", reason: `a malformed ServerHello (${what})` });
  if (body.length < 38) return bad("too short");
  let wire = body.readUInt16BE(0);
  let p = 34; // version (2) + random (32)
  const sessionIdLength = body[p];
  if (sessionIdLength > 32) return bad("session id longer than 32 bytes");
  p += 1 + sessionIdLength + 2 + 1; // session id, cipher suite, compression method
  if (p > body.length) return bad("truncated");
  if (p < body.length) {
    if (p + 2 > body.length) return bad("truncated extensions");
    const end = p + 2 + body.readUInt16BE(p);
    if (end !== body.length) return bad("extensions length");
    p += 2;
    while (p < end) {
      if (p + 4 > end) return bad("truncated extension");
      const type = body.readUInt16BE(p);
      const length = body.readUInt16BE(p + 2);
      if (p + 4 + length > end) return bad("extension length");
      if (type === 0x002b) {
        if (length !== 2) return bad("supported_versions length");
        wire = body.readUInt16BE(p + 4);
      }
      p += 4 + length;
    }
  }
  return { state: "hello", version: VERSION_NAME.get(wire) ?? null, wireVersion: wire };
}

/** What the connection delivered: a verdict of the reader, or the server hung up before one. */
type Answer = HelloVerdict | { state: "closed"; bytesRead: number };

function readAnswer(socket: Socket, hello: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const reader = new ServerAnswerReader();
    const done = (a: Answer) => {
      socket.removeListener("data", onData);
      socket.removeListener("close", onClose);
      socket.removeListener("error", onError);
      socket.pause();
      resolve(a);
    };
    const onData = (chunk: Buffer) => {
      const v = reader.push(chunk);
      if (v.state !== "more") done(v);
    };
    const onClose = () => done({ state: "closed", bytesRead: reader.bytesRead });
    const onError = (e: Error) => {
      socket.removeListener("data", onData);
      socket.removeListener("close", onClose);
      reject(e);
    };
    socket.on("data", onData);
    socket.once("close", onClose);
    socket.once("error", onError);
    socket.write(hello);
  });
}

/**
 * Does the server accept `version` when a client offers only that one? true = it selected it (ServerHello or
 * HelloRetryRequest), false = it refused (alert, another version, or it hung up or reset the connection
 * before answering), null = could not tell (DNS, TCP or StartTLS failed, the deadline passed, or the answer
 * was not TLS or was cut off mid-record). The same three answers as a full handshake gives (endpoint.ts
 * probeVersionByHandshake), which test/probe/hello.test.ts checks on real peers. The caller closes `attempt`.
 */
export async function probeVersionByHello(
  attempt: Attempt,
  target: { host: string; port: number; mode: "ldaps" | "starttls"; dnsServers?: string[] },
  version: TlsVersion,
  servername?: string,
): Promise<boolean | null> {
  try {
    const address = await attempt.run("dns", () => resolveHost(target.host, target.dnsServers));
    const tcp = await attempt.run("tcp", () => tcpConnect(attempt, address, target.port));
    if (target.mode === "starttls") await attempt.run("starttls", () => startTls(tcp));
    const answer = await attempt.run("tls", () => readAnswer(tcp, clientHello(version, servername)));
    switch (answer.state) {
      case "hello":
        return answer.version === version;
      case "alert":
        return false;
      case "closed":
        return answer.bytesRead === 0 ? false : null;
      default:
        return null;
    }
  } catch (e) {
    const f = e instanceof ProbeError ? e.failure : classify(e, attempt.stage);
    return f.stage === "tls" && f.kind === "reset" ? false : null;
  }
}
