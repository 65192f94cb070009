// Hostile and broken peers written with node:net/tls: each costs at most the timeout and yields the
// right failure kind; nothing crashes or hangs.
import { createServer, Server, Socket } from "node:net";
import * as tls from "node:tls";
import { Pki, Issued } from "../helpers/openssl";
import { PEER_DEADLINE_MS, requirePeer, hasCommand } from "../helpers/peers";
import { probeEndpoint, probeHosts, probeVersions } from "../../lib/probe";
import { freePort } from "./helpers/net";

// No assertion here reads the wall clock: how long a timeout takes is the machine's business. That the probe's own
// deadline fired is shown by the failure kind ("timeout", at the stage that stalled); a probe that hung instead
// would fail the test through jest's per-test limit (HANG_GUARD_MS), far above any deadline used here.
const HANG_GUARD_MS = 600000;
jest.setTimeout(HANG_GUARD_MS);
const haveOpenssl = requirePeer("openssl", hasCommand("openssl", ["version"]), "apt-get install openssl");
const d = haveOpenssl ? describe : describe.skip;

function listen(server: Server | tls.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)));
}

d("hostile peers", () => {
  let pki: Pki;
  let leaf: Issued;
  let root: Issued;
  const servers: Array<Server | tls.Server> = [];
  const sockets = new Set<Socket>();
  const serve = async (server: Server | tls.Server) => {
    server.on("connection", (s: Socket) => {
      sockets.add(s);
      s.on("error", () => undefined);
      s.on("close", () => sockets.delete(s));
    });
    if (server instanceof tls.Server) server.on("tlsClientError", () => undefined);
    servers.push(server);
    return listen(server);
  };
  const ep = (port: number, mode: "ldaps" | "starttls" = "ldaps") => ({ host: "127.0.0.1", port, mode, purpose: "ldap" as const });

  beforeAll(() => {
    pki = new Pki();
    root = pki.issue("root", { cn: "Hostile Root", ca: true });
    leaf = pki.issue("leaf", { cn: "dc1.example.test", san: "DNS:dc1.example.test,IP:127.0.0.1", eku: "serverAuth" }, root);
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    pki?.cleanup();
  });

  test("a server that accepts and never answers the handshake: timeout at the tls stage", async () => {
    const port = await serve(createServer(() => undefined));
    const r = await probeEndpoint(ep(port), { timeoutMs: 800 });
    expect(r.evidence.failure).toMatchObject({ kind: "timeout", stage: "tls" });
  });

  test("a server that never answers StartTLS: timeout at the starttls stage", async () => {
    const port = await serve(createServer(() => undefined));
    const r = await probeEndpoint(ep(port, "starttls"), { timeoutMs: 800 });
    expect(r.evidence.failure).toMatchObject({ kind: "timeout", stage: "starttls" });
  });

  test("a server that resets the connection mid-handshake: reset", async () => {
    const port = await serve(createServer((s) => s.once("data", () => s.resetAndDestroy())));
    const r = await probeEndpoint(ep(port), { timeoutMs: PEER_DEADLINE_MS });
    expect(r.evidence.failure).toMatchObject({ kind: "reset", stage: "tls" });
    expect(r.evidence.failure?.message).toMatch(/1220|reset/);
  });

  test("a server that closes after the ClientHello (what a DC without a certificate does): reset", async () => {
    const port = await serve(createServer((s) => s.once("data", () => s.end())));
    const r = await probeEndpoint(ep(port), { timeoutMs: PEER_DEADLINE_MS });
    expect(r.evidence.failure).toMatchObject({ kind: "reset", stage: "tls" });
  });

  test("a server that sends a fatal TLS alert: tls-alert", async () => {
    // TLS record: alert(21), TLS 1.2, length 2, fatal(2) handshake_failure(40)
    const port = await serve(createServer((s) => s.once("data", () => s.end(Buffer.from([21, 3, 3, 0, 2, 2, 40])))));
    const r = await probeEndpoint(ep(port), { timeoutMs: PEER_DEADLINE_MS });
    expect(r.evidence.failure).toMatchObject({ kind: "tls-alert", stage: "tls" });
    expect(r.evidence.failure?.code).toMatch(/ALERT_HANDSHAKE_FAILURE/);
  });

  test("a server that speaks something else on the LDAPS port: protocol", async () => {
    const port = await serve(createServer((s) => s.once("data", () => s.write("HTTP/1.1 400 Bad Request\r\n\r\n"))));
    const r = await probeEndpoint(ep(port), { timeoutMs: PEER_DEADLINE_MS });
    expect(r.evidence.failure).toMatchObject({ kind: "protocol", stage: "tls" });
  });

  test("StartTLS refused by the server: starttls-refused with the LDAP result code", async () => {
    // ExtendedResponse, message id 1, resultCode 2 (protocolError), no matchedDN, diagnostic "no"
    const resp = Buffer.from([0x30, 0x0c, 0x02, 0x01, 0x01, 0x78, 0x07, 0x0a, 0x01, 0x02, 0x04, 0x00, 0x04, 0x02, 0x6e, 0x6f]);
    const port = await serve(createServer((s) => s.once("data", () => s.write(resp))));
    const r = await probeEndpoint(ep(port, "starttls"), { timeoutMs: PEER_DEADLINE_MS });
    expect(r.evidence.failure).toMatchObject({ kind: "starttls-refused", stage: "starttls", code: "ldap-2" });
    expect(r.evidence.failure?.message).toMatch(/protocolError: no/);
  });

  test("a 10 MB certificate chain: refused by the client (message size limit), not read whole", async () => {
    const many = Array.from({ length: Math.ceil((10 * 1024 * 1024) / root.pem.length) }, () => root.pem).join("");
    const port = await serve(tls.createServer({ key: require("node:fs").readFileSync(leaf.keyPath), cert: leaf.pem + many }, (s) => s.on("error", () => undefined)));
    const r = await probeEndpoint(ep(port), { timeoutMs: PEER_DEADLINE_MS, ca: [root.pem] });
    expect(r.evidence.failure?.stage).toBe("tls");
    expect(r.evidence.failure).toMatchObject({ kind: "protocol", code: "ERR_SSL_EXCESSIVE_MESSAGE_SIZE" });
  });

  test("a refused port and an unresolvable name are told apart", async () => {
    const closed = await freePort();
    const a = await probeEndpoint(ep(closed), { timeoutMs: PEER_DEADLINE_MS });
    expect(a.evidence.failure).toMatchObject({ kind: "refused", stage: "tcp" });
    const b = await probeEndpoint({ host: "no-such-dc.invalid", port: 636, mode: "ldaps", purpose: "ldap" }, { timeoutMs: PEER_DEADLINE_MS });
    expect(b.evidence.failure).toMatchObject({ kind: "dns", stage: "dns" });
  });

  test("version probing against a TLS 1.3-only server: 1.2 refused with an alert", async () => {
    const port = await serve(tls.createServer({ key: require("node:fs").readFileSync(leaf.keyPath), cert: leaf.pem, minVersion: "TLSv1.3" }, (s) => s.end()));
    const v = await probeVersions(ep(port), { timeoutMs: PEER_DEADLINE_MS });
    expect(v["TLSv1.3"]).toBe(true);
    expect(v["TLSv1.2"]).toBe(false);
    expect(v.TLSv1).toBe(false);
  });

  test("many stalling hosts with a concurrency bound: every host answered, the staller by its deadline", async () => {
    const port = await serve(createServer(() => undefined));
    const targets = Array.from({ length: 8 }, (_, i) => ({ host: `127.0.0.${i + 1}`, port }));
    // Only 127.0.0.1 listens (the server is bound to it); the rest are refused quickly.
    const seen: number[] = [];
    const res = await probeHosts(targets, { timeoutMs: 600, concurrency: 4, versions: false, onProgress: (done) => seen.push(done) });
    expect(res).toHaveLength(8);
    expect(res[0].snapshot.network!.endpoints[0].failure?.kind).toBe("timeout");
    expect(res.slice(1).every((r) => r.snapshot.network!.endpoints[0].failure?.kind === "refused")).toBe(true);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
