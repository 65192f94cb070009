// What a probe costs the prober and the server, counted (issue 17 item 4), not timed: one TLS context per
// CA set and settings for a whole run, no chain extraction on version-only handshakes, and no second
// handshake for the version the main connection already negotiated, and version probes that end at the
// server's ServerHello or alert (lib/probe/hello.ts): only the main connection completes a handshake.
import { Socket } from "node:net";
import * as tls from "node:tls";
import { Pki, Issued } from "../helpers/openssl";
import { PEER_DEADLINE_MS, requirePeer, hasCommand } from "../helpers/peers";
import { probeHosts } from "../../lib/probe";
import { secureContextFor } from "../../lib/probe/connect";

jest.setTimeout(600000);
const haveOpenssl = requirePeer("openssl", hasCommand("openssl", ["version"]), "apt-get install openssl");
const d = haveOpenssl ? describe : describe.skip;

d("probe resource use", () => {
  let pki: Pki;
  let root: Issued;
  let server: tls.Server;
  let port: number;
  const seen = { connections: 0, handshakes: 0 };
  const sockets = new Set<Socket>();
  const HOSTS = 6;

  beforeAll(async () => {
    pki = new Pki();
    root = pki.issue("root", { cn: "Context Root", ca: true });
    const leaf = pki.issue("leaf", { cn: "dc1.example.test", san: "DNS:dc1.example.test", eku: "serverAuth" }, root);
    // A TLS server that accepts TLS 1.2 and 1.3 and hangs up after the handshake (the LDAP step then fails; the TLS evidence stands).
    server = tls.createServer({ key: require("node:fs").readFileSync(leaf.keyPath), cert: leaf.pem, minVersion: "TLSv1.2" }, (s) => s.end());
    server.on("connection", (s: Socket) => {
      seen.connections++;
      sockets.add(s);
      s.on("error", () => undefined);
      s.on("close", () => sockets.delete(s));
    });
    server.on("secureConnection", () => seen.handshakes++);
    server.on("tlsClientError", () => undefined);
    port = await new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
    pki?.cleanup();
  });

  // One endpoint per run; the first test runs six at once, sharing one CA array as the endpoints of one
  // CLI run share the array read from --ca.
  const run = (ca: string[], versions: boolean) =>
    probeHosts([{ host: "127.0.0.1", port }], { ca, servername: "dc1.example.test", timeoutMs: PEER_DEADLINE_MS, versions });

  test("one TLS context per CA set and version settings: shared by every connection that uses them", async () => {
    const ca = [root.pem];
    const main = secureContextFor({ ca });
    expect(secureContextFor({ ca, servername: "other.example.test" })).toBe(main); // the name is per connection
    expect(secureContextFor({ ca: [root.pem] })).not.toBe(main); // another CA set
    expect(secureContextFor({ ca, minVersion: "TLSv1.2", maxVersion: "TLSv1.2" })).not.toBe(main);
    expect(secureContextFor({ ca, minVersion: "TLSv1.2", maxVersion: "TLSv1.2" })).toBe(secureContextFor({ ca, minVersion: "TLSv1.2", maxVersion: "TLSv1.2" }));
    expect(secureContextFor({})).toBe(secureContextFor({})); // Node's root store
    const before = seen.connections;
    const handshakesBefore = seen.handshakes;
    const results = await Promise.all(Array.from({ length: HOSTS }, () => run(ca, true)));
    for (const r of results) {
      const e = r[0].snapshot.network!.endpoints[0];
      expect(e.tls?.authorized).toBe(true);
      expect(e.versions).toEqual({ TLSv1: false, "TLSv1.1": false, "TLSv1.2": true, "TLSv1.3": true });
    }
    // Per endpoint: the main connection, then TLS 1.0, 1.1 and 1.2 (1.3 is what the main one negotiated).
    expect(seen.connections - before).toBe(HOSTS * 4);
    // ...and of those only the main one completes a handshake: the version probes stop at the ServerHello
    // (1.2) or the alert (1.0, 1.1), so the server never finishes a handshake for them.
    expect(seen.handshakes - handshakesBefore).toBe(HOSTS);
  });

  test("version-only handshakes read no chain: as many certificate reads with version probing as without", async () => {
    const reads = jest.spyOn(tls.TLSSocket.prototype, "getPeerCertificate");
    try {
      const ca = [root.pem];
      await run(ca, false);
      const without = reads.mock.calls.length;
      reads.mockClear();
      const r = await run(ca, true);
      expect(r[0].snapshot.network!.endpoints[0].versions?.["TLSv1.2"]).toBe(true);
      // One read per verified endpoint: Node's own, for its identity check, kept for the evidence and the name check.
      expect(without).toBe(1);
      expect(reads.mock.calls.length).toBe(without);
    } finally {
      reads.mockRestore();
    }
  });
});
