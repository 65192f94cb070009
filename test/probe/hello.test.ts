// The ClientHello version probe (lib/probe/hello.ts) proved two ways:
// - differentially, on real peers: for every server configuration and every TLS version, its verdict equals
//   the verdict of a full Node TLS handshake offering only that version (probeVersionByHandshake, the way
//   versions were probed before); servers are OpenLDAP slapd (GnuTLS) with priority strings, openssl
//   s_server with -no_tls1_x switches and a node:tls server, over LDAPS and StartTLS;
// - with fast-check on the reader: any server bytes, cut anywhere, never throw, never read past
//   MAX_HELLO_ANSWER_BYTES, and give the same verdict whole or in pieces; well-formed answers, fragmented
//   any way, give the version or alert they carry.
import { ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { Socket } from "node:net";
import * as tls from "node:tls";
import fc from "fast-check";
import { Pki, Issued } from "../helpers/openssl";
import { PEER_DEADLINE_MS, requirePeer, hasCommand } from "../helpers/peers";
import { Attempt } from "../../lib/probe/connect";
import { probeVersionByHandshake } from "../../lib/probe/endpoint";
import { clientHello, MAX_HELLO_ANSWER_BYTES, probeVersionByHello, readServerAnswer, ServerAnswerReader, HelloVerdict } from "../../lib/probe/hello";
import { TLS_VERSIONS, TlsVersion } from "../../lib/probe/types";
import { freePort, killGroup, trackPeer, waitForPort } from "./helpers/net";
import { startSlapd, slapdPath, Slapd } from "./helpers/slapd";
import { cut } from "../helpers/cut";

jest.setTimeout(600000);
const FQDN = "dc1.example.test";
const haveOpenssl = requirePeer("openssl", hasCommand("openssl", ["version"]), "apt-get install openssl");
const haveSlapd = requirePeer("slapd", slapdPath() !== null, "apt-get install slapd ldap-utils");

type Verdicts = Record<TlsVersion, boolean | null>;
type Endpoint = { host: string; port: number; mode: "ldaps" | "starttls"; purpose: "ldap" };
const ep = (port: number, mode: "ldaps" | "starttls" = "ldaps"): Endpoint => ({ host: "127.0.0.1", port, mode, purpose: "ldap" });

async function byHello(e: Endpoint): Promise<Verdicts> {
  const out = {} as Verdicts;
  for (const v of TLS_VERSIONS) {
    const attempt = new Attempt(PEER_DEADLINE_MS);
    try {
      out[v] = await probeVersionByHello(attempt, e, v, FQDN);
    } finally {
      attempt.close();
    }
  }
  return out;
}

async function byHandshake(e: Endpoint): Promise<Verdicts> {
  const out = {} as Verdicts;
  for (const v of TLS_VERSIONS) out[v] = await probeVersionByHandshake(e, v, { servername: FQDN, timeoutMs: PEER_DEADLINE_MS });
  return out;
}

(haveOpenssl ? describe : describe.skip)("ClientHello version probe = full handshake verdict, on real peers", () => {
  let pki: Pki;
  let root: Issued;
  let leaf: Issued;
  const stops: Array<() => Promise<void>> = [];
  /** Every (server, verdicts) pair compared, to show the matrix holds both answers. */
  const seen: Verdicts[] = [];

  beforeAll(() => {
    pki = new Pki();
    root = pki.issue("root", { cn: "Hello Root", ca: true });
    leaf = pki.issue("leaf", { cn: FQDN, san: `DNS:${FQDN},IP:127.0.0.1`, eku: "serverAuth", keyUsage: "critical,digitalSignature,keyEncipherment" }, root);
  });
  afterAll(async () => {
    await Promise.all(stops.map((s) => s()));
    pki?.cleanup();
    // Both verdicts occurred: the comparison is not between two probes that always say the same thing.
    const all = seen.flatMap((v) => Object.values(v));
    if (seen.length) {
      expect(all).toContain(true);
      expect(all).toContain(false);
    }
  });

  const same = async (e: Endpoint): Promise<Verdicts> => {
    const hello = await byHello(e);
    const handshake = await byHandshake(e);
    expect(hello).toEqual(handshake);
    seen.push(hello);
    return hello;
  };

  const sServer = async (args: string[]) => {
    const port = await freePort();
    const child: ChildProcess = spawn("openssl", ["s_server", "-accept", `127.0.0.1:${port}`, "-cert", leaf.certPath, "-key", leaf.keyPath, "-quiet", ...args], {
      detached: true,
      stdio: ["ignore", "ignore", "ignore"],
    });
    trackPeer(child);
    stops.push(() => killGroup(child));
    await waitForPort(port, 60000, () => child.exitCode !== null);
    return port;
  };

  test.each([
    ["defaults", []],
    ["-no_tls1_3", ["-no_tls1_3"]],
    ["-no_tls1_2", ["-no_tls1_2"]],
    ["-tls1_2 only", ["-tls1_2"]],
    ["-tls1_3 only", ["-tls1_3"]],
    ["legacy allowed (-cipher DEFAULT@SECLEVEL=0, all versions)", ["-cipher", "DEFAULT@SECLEVEL=0"]],
    ["ECDHE only (no RSA key transport)", ["-cipher", "ECDHE@SECLEVEL=0"]],
  ])("openssl s_server %s", async (_name, args) => {
    await same(ep(await sServer(args as string[])));
  });

  test("openssl s_server -no_tls1_2 -no_tls1_3 with legacy allowed: 1.0 and 1.1 accepted, 1.2 and 1.3 refused", async () => {
    const v = await same(ep(await sServer(["-no_tls1_2", "-no_tls1_3", "-cipher", "DEFAULT@SECLEVEL=0"])));
    expect(v).toEqual({ TLSv1: true, "TLSv1.1": true, "TLSv1.2": false, "TLSv1.3": false });
  });

  test("node:tls server, minVersion TLS 1.2", async () => {
    const server = tls.createServer({ key: readFileSync(leaf.keyPath), cert: leaf.pem, minVersion: "TLSv1.2" }, (s) => s.end());
    const sockets = new Set<Socket>();
    server.on("connection", (s: Socket) => (sockets.add(s), s.on("error", () => undefined)));
    server.on("tlsClientError", () => undefined);
    const port = await new Promise<number>((r) => server.listen(0, "127.0.0.1", () => r((server.address() as { port: number }).port)));
    stops.push(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    });
    expect(await same(ep(port))).toEqual({ TLSv1: false, "TLSv1.1": false, "TLSv1.2": true, "TLSv1.3": true });
  });

  (haveSlapd ? describe : describe.skip)("OpenLDAP slapd (GnuTLS)", () => {
    const slapd = async (cipherSuite?: string): Promise<Slapd> => {
      const s = await startSlapd({ certFile: leaf.certPath, keyFile: leaf.keyPath, cipherSuite });
      stops.push(() => s.stop());
      return s;
    };
    test.each([
      ["default priority", undefined],
      ["NORMAL:-VERS-TLS1.0:-VERS-TLS1.1", "NORMAL:-VERS-TLS1.0:-VERS-TLS1.1"],
      ["NORMAL:+VERS-TLS1.0:+VERS-TLS1.1", "NORMAL:+VERS-TLS1.0:+VERS-TLS1.1"],
      ["NORMAL:-VERS-TLS1.3", "NORMAL:-VERS-TLS1.3"],
      ["TLS 1.3 only", "NORMAL:-VERS-ALL:+VERS-TLS1.3"],
      ["no RSA key transport", "NORMAL:-RSA:+VERS-TLS1.0:+VERS-TLS1.1"],
    ])("slapd %s, over LDAPS and StartTLS", async (_name, priority) => {
      const s = await slapd(priority as string | undefined);
      const ldaps = await same(ep(s.ldapsPort));
      const starttls = await same(ep(s.ldapPort, "starttls"));
      expect(starttls).toEqual(ldaps);
    });
  });
});

// ---- the reader, fuzzed ----

const record = (type: number, payload: Buffer, version = 0x0303) => Buffer.concat([Buffer.from([type, version >> 8, version & 0xff, payload.length >> 8, payload.length & 0xff]), payload]);

/** A ServerHello handshake message selecting `wire` (in supported_versions when `viaExtension`). */
function serverHelloMessage(wire: number, viaExtension: boolean, sessionId: Buffer, extraExtensions: Buffer[]): Buffer {
  const ext = [...extraExtensions, ...(viaExtension ? [Buffer.from([0x00, 0x2b, 0x00, 0x02, wire >> 8, wire & 0xff])] : [])];
  const exts = Buffer.concat(ext);
  const body = Buffer.concat([
    Buffer.from(viaExtension ? [0x03, 0x03] : [wire >> 8, wire & 0xff]),
    Buffer.alloc(32, 7),
    Buffer.from([sessionId.length]),
    sessionId,
    Buffer.from([0x13, 0x01, 0x00]),
    ...(ext.length ? [Buffer.from([exts.length >> 8, exts.length & 0xff]), exts] : []),
  ]);
  return Buffer.concat([Buffer.from([2, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff]), body]);
}

const feed = (chunks: Buffer[]): { verdict: HelloVerdict; bytesRead: number } => {
  const r = new ServerAnswerReader();
  let verdict: HelloVerdict = { state: "more" };
  for (const c of chunks) verdict = r.push(c);
  return { verdict, bytesRead: r.bytesRead };
};

describe("ServerAnswerReader on hostile bytes", () => {
  const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 });

  test("any bytes, cut anywhere: never throws, never takes more than the cap, same verdict whole or in pieces", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.constantFrom(21, 22, 23, 0x30), cuts, (bytes, first, at) => {
        const data = Buffer.from(bytes);
        if (data.length) data[0] = first; // often a plausible record type, so the reader goes past byte 0
        if (data.length > 2) data[1] = 3;
        const whole = readServerAnswer(data);
        const pieces = feed(cut(data, at));
        expect(pieces.verdict).toEqual(whole);
        expect(pieces.bytesRead).toBeLessThanOrEqual(MAX_HELLO_ANSWER_BYTES);
        expect(["more", "hello", "alert", "garbage"]).toContain(whole.state);
      }),
      { numRuns: 2000 },
    );
  });

  test("a ServerHello, fragmented into records and TCP chunks any way, gives the version it selects", () => {
    const versions = fc.constantFrom(0x0301, 0x0302, 0x0303, 0x0304, 0x0300, 0x7f1c);
    const extra = fc.array(fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.concat([Buffer.from([0xfe, 0x01, 0, b.length]), Buffer.from(b)])), { maxLength: 3 });
    fc.assert(
      fc.property(versions, fc.boolean(), fc.uint8Array({ maxLength: 32 }), extra, fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }), cuts, fc.uint8Array({ maxLength: 200 }), (wire, viaExt, sid, exts, sizes, at, trailer) => {
        const msg = serverHelloMessage(wire, viaExt, Buffer.from(sid), exts);
        const records: Buffer[] = [];
        let off = 0;
        for (let i = 0; off < msg.length; i++) {
          const n = sizes[i % sizes.length];
          records.push(record(22, msg.subarray(off, off + n)));
          off += n;
        }
        // Whatever follows the ServerHello (certificate, garbage) is not needed and does not change the verdict.
        const data = Buffer.concat([...records, Buffer.from(trailer)]);
        const { verdict } = feed(cut(data, at));
        const name = ({ 0x0301: "TLSv1", 0x0302: "TLSv1.1", 0x0303: "TLSv1.2", 0x0304: "TLSv1.3" } as Record<number, string>)[wire] ?? null;
        expect(verdict).toEqual({ state: "hello", version: name, wireVersion: wire });
      }),
      { numRuns: 1000 },
    );
  });

  test("an alert record first is an alert; a truncated one or one inside a ServerHello is garbage", () => {
    expect(readServerAnswer(record(21, Buffer.from([2, 70])))).toEqual({ state: "alert", description: 70 });
    expect(readServerAnswer(record(21, Buffer.from([2, 40]), 0x0301))).toEqual({ state: "alert", description: 40 });
    expect(readServerAnswer(record(21, Buffer.from([2]))).state).toBe("garbage");
    const hello = serverHelloMessage(0x0303, false, Buffer.alloc(0), []);
    expect(readServerAnswer(Buffer.concat([record(22, hello.subarray(0, 10)), record(21, Buffer.from([2, 70]))])).state).toBe("garbage");
    expect(readServerAnswer(record(21, Buffer.from([2, 70])).subarray(0, 6))).toEqual({ state: "more" });
  });

  test("bounded: a peer that streams records that never complete a ServerHello is cut off at the cap", () => {
    const hello = serverHelloMessage(0x0303, false, Buffer.alloc(0), []);
    const header = Buffer.from([2, 0x00, 0x7f, 0xff]); // claims a 32 KiB ServerHello
    const r = new ServerAnswerReader();
    let verdict: HelloVerdict = r.push(record(22, header));
    for (let i = 0; i < 10000 && verdict.state === "more"; i++) verdict = r.push(record(22, Buffer.alloc(100, 1)));
    expect(verdict.state).toBe("garbage");
    expect(r.bytesRead).toBeLessThanOrEqual(MAX_HELLO_ANSWER_BYTES);
    // One byte at a time into a 16 KiB record: the reader waits for the whole record, then finds a
    // handshake header claiming more than the cap.
    const slow = new ServerAnswerReader();
    let v: HelloVerdict = slow.push(Buffer.from([22, 3, 3, 0x40, 0x00]));
    let pushes = 0;
    for (; pushes < MAX_HELLO_ANSWER_BYTES + 10 && v.state === "more"; pushes++) v = slow.push(Buffer.from([2]));
    expect(v.state).toBe("garbage");
    expect(pushes).toBe(0x4000);
    expect(readServerAnswer(Buffer.concat([record(22, hello)])).state).toBe("hello");
    expect(readServerAnswer(Buffer.from("0\x84\x00\x00\x00\x07\x02\x01\x01", "latin1")).state).toBe("garbage"); // an LDAP message, not TLS
    expect(readServerAnswer(Buffer.from([22, 3, 3, 0x48, 0x01])).state).toBe("garbage"); // a record over 2^14
  });
});

describe("clientHello", () => {
  test("one handshake record offering only the version asked for", () => {
    for (const v of TLS_VERSIONS) {
      const h = clientHello(v, "dc1.example.test");
      expect(h[0]).toBe(22);
      expect(h.readUInt16BE(3)).toBe(h.length - 5);
      expect(h[5]).toBe(1); // client_hello
      expect((h[6] << 16) | (h[7] << 8) | h[8]).toBe(h.length - 9);
      const legacy = h.readUInt16BE(9);
      expect(legacy).toBe({ TLSv1: 0x0301, "TLSv1.1": 0x0302, "TLSv1.2": 0x0303, "TLSv1.3": 0x0303 }[v]);
      const supportedVersions = h.indexOf(Buffer.from([0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04]));
      expect(supportedVersions >= 0).toBe(v === "TLSv1.3");
      expect(h.includes(Buffer.from("dc1.example.test"))).toBe(true);
    }
    expect(clientHello("TLSv1.2", "127.0.0.1").includes(Buffer.from("127.0.0.1"))).toBe(false); // no IP literal in SNI
  });
});
