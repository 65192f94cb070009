// --timeout is the deadline for the endpoint as a whole, version probes included. Proved by counting the
// connections a hostile loopback peer receives and with an injected clock, not by timing the run.
import { Server, Socket } from "node:net";
import * as tls from "node:tls";
import { readFileSync } from "node:fs";
import { Pki, Issued } from "../helpers/openssl";
import { PEER_DEADLINE_MS, requirePeer, hasCommand } from "../helpers/peers";
import { probeEndpoint } from "../../lib/probe";

jest.setTimeout(600_000); // a hang guard, far above every deadline used here; nothing reads the wall clock
const haveOpenssl = requirePeer("openssl", hasCommand("openssl", ["version"]), "apt-get install openssl");
const d = haveOpenssl ? describe : describe.skip;

d("one deadline per endpoint", () => {
  let pki: Pki;
  let leaf: Issued;
  const servers: Array<Server | tls.Server> = [];
  const sockets = new Set<Socket>();
  const ep = (port: number) => ({ host: "127.0.0.1", port, mode: "ldaps" as const, purpose: "ldap" as const });

  /** A TLS server that completes the handshake and then never says a word (or hangs up); counts TCP connections. */
  const peer = async (after: "stall" | "close" = "stall") => {
    const seen = { connections: 0 };
    const server = tls.createServer({ key: readFileSync(leaf.keyPath), cert: leaf.pem }, (s) => {
      s.on("error", () => undefined);
      if (after === "close") s.end();
    });
    server.on("connection", (s: Socket) => {
      seen.connections++;
      sockets.add(s);
      s.on("error", () => undefined);
      s.on("close", () => sockets.delete(s));
    });
    server.on("tlsClientError", () => undefined);
    servers.push(server);
    const port = await new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)));
    return { port, seen, server };
  };

  beforeAll(() => {
    pki = new Pki();
    leaf = pki.issue("leaf", { cn: "dc1.example.test", san: "DNS:dc1.example.test", eku: "serverAuth" });
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    pki?.cleanup();
  });

  test("a peer that completes one handshake and then stalls: the stall spends the deadline, no version probe starts after it", async () => {
    const { port, seen } = await peer("stall");
    // Long enough for the handshake on a loaded machine; the stall after it then spends the rest.
    const r = await probeEndpoint(ep(port), { timeoutMs: 8000 });
    expect(r.evidence.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(r.evidence.ldap?.rootDseError).toMatch(/no answer within \d+ ms/);
    // Before: four more handshakes, each with a fresh full timeout (twice the deadline in all).
    expect(seen.connections).toBe(1);
    expect(r.evidence.versions).toEqual({ TLSv1: null, "TLSv1.1": null, "TLSv1.2": null, "TLSv1.3": null });
  });

  test("version probes get only the time left (injected clock: the deadline has passed once the main connection is done)", async () => {
    const { port, seen, server } = await peer("close");
    // The clock reads 0 when the endpoint starts and while the main connection runs, then jumps past the deadline.
    let late = false;
    const clock = () => (late ? 60_000 : 0);
    server.once("secureConnection", () => (late = true));
    const r = await probeEndpoint(ep(port), { timeoutMs: PEER_DEADLINE_MS, clock, versions: true });
    expect(seen.connections).toBe(1);
    expect(r.evidence.versions).toEqual({ TLSv1: null, "TLSv1.1": null, "TLSv1.2": null, "TLSv1.3": null });
    expect(r.evidence.durationMs).toBe(60_000); // measured with the same clock
  });

  test("with time left, the version probes run (same clock shape, no jump)", async () => {
    const { port, seen } = await peer("close");
    const r = await probeEndpoint(ep(port), { timeoutMs: PEER_DEADLINE_MS, clock: () => 0 });
    expect(r.evidence.versions?.["TLSv1.3"]).toBe(true);
    expect(r.evidence.tls?.protocol).toBe("TLSv1.3");
    // The main connection and one per TLS version but the one it negotiated (TLS 1.3: known accepted).
    expect(seen.connections).toBe(4);
  });
});
