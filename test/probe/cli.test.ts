// The `probe` command, run in-process: arguments, output (json/text, file, directory), exit codes.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import * as tls from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../lib/cli/main";
import { getAjv, SNAPSHOT_SCHEMA_ID } from "../../lib/schemas";
import { Pki, Issued } from "../helpers/openssl";
import { PEER_DEADLINE_MS, requirePeer, hasCommand } from "../helpers/peers";
import { freePort } from "./helpers/net";

const haveOpenssl = requirePeer("openssl", hasCommand("openssl", ["version"]), "apt-get install openssl");
const d = haveOpenssl ? describe : describe.skip;

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const o = jest.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
  const e = jest.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

d("ldaps-audit probe (CLI)", () => {
  let pki: Pki;
  let root: Issued;
  let server: tls.Server;
  let port: number;
  let dir: string;

  beforeAll(async () => {
    pki = new Pki();
    root = pki.issue("root", { cn: "CLI Root", ca: true });
    const leaf = pki.issue("leaf", { cn: "dc1.example.test", san: "DNS:dc1.example.test,IP:127.0.0.1", eku: "serverAuth" }, root);
    server = tls.createServer({ key: readFileSync(leaf.keyPath), cert: leaf.pem }, (s) => {
      s.on("error", () => undefined);
      s.end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    port = (server.address() as { port: number }).port;
    dir = mkdtempSync(join(tmpdir(), "ldaps-audit-probe-cli-"));
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    pki?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  test("json snapshot on stdout validates against the snapshot schema; exit 0 when verified", async () => {
    const r = await run(["probe", `127.0.0.1:${port}`, "--ca", root.certPath, "--servername", "dc1.example.test", "--format", "json", "--timeout", String(PEER_DEADLINE_MS)]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const snap = JSON.parse(r.stdout);
    const validate = getAjv().getSchema(SNAPSHOT_SCHEMA_ID)!;
    expect(validate(snap)).toBe(true);
    expect(snap.collector.name).toBe("ldaps-audit-probe");
    expect(snap.host.fqdn).toBe("dc1.example.test");
    expect(snap.network.endpoints[0]).toMatchObject({ port, mode: "ldaps", failure: null, tls: { authorized: true, hostnameMatches: true } });
    // The test server closes before answering LDAP: the rootDSE error is recorded, not thrown.
    expect(snap.network.endpoints[0].ldap.rootDseError).toBeTruthy();
  });

  test("untrusted (no --ca): exit 1; text format names the failure", async () => {
    const r = await run(["probe", `127.0.0.1:${port}`, "--format", "text", "--timeout", String(PEER_DEADLINE_MS), "--no-versions"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/chain NOT trusted/);
  });

  test("several hosts into a directory: one snapshot file per host, progress on stderr", async () => {
    const closed = await freePort();
    const hosts = [`127.0.0.1:${port}`, `127.0.0.2:${closed}`, `127.0.0.3:${closed}`, `127.0.0.4:${closed}`];
    const r = await run(["probe", ...hosts, "--ca", root.certPath, "-o", dir, "--timeout", String(PEER_DEADLINE_MS), "--no-versions"]);
    expect(r.code).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(["127.0.0.1.probe.json", "127.0.0.2.probe.json", "127.0.0.3.probe.json", "127.0.0.4.probe.json"]);
    expect(r.stderr).toMatch(/probe: 4\/4 hosts/);
    const two = JSON.parse(readFileSync(join(dir, "127.0.0.2.probe.json"), "utf8"));
    expect(two.network.endpoints[0].failure.kind).toBe("refused");
  });

  test("two endpoints under one --servername into a directory: one file each, and the count says so", async () => {
    const out = mkdtempSync(join(tmpdir(), "ldaps-audit-probe-same-name-"));
    try {
      const closed = await freePort();
      const r = await run(["probe", `127.0.0.1:${port}`, `localhost:${closed}`, "--servername", "DC1.example.test", "--ca", root.certPath, "-o", out, "--timeout", String(PEER_DEADLINE_MS), "--no-versions"]);
      expect(r.code).toBe(1);
      expect(readdirSync(out).sort()).toEqual(["dc1.example.test.probe.json", "dc1.example.test~2.probe.json"]);
      expect(r.stderr).toMatch(/wrote 2 snapshot file\(s\) to /);
      const ports = ["dc1.example.test.probe.json", "dc1.example.test~2.probe.json"].map((f) => JSON.parse(readFileSync(join(out, f), "utf8")).network.endpoints[0].port);
      expect(ports).toEqual([port, closed]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test("usage errors exit 2", async () => {
    expect((await run(["probe"])).code).toBe(2);
    expect((await run(["probe", "h1", "--bind-dn", "cn=x"])).code).toBe(2);
    expect((await run(["probe", "h1", "--bind-dn", "cn=x", "--password-env", "LDAPS_AUDIT_UNSET_VAR"])).code).toBe(2);
    expect((await run(["probe", "h1:99999"])).code).toBe(2);
    expect((await run(["probe", "h1", "--ports", "636,abc"])).code).toBe(2);
  });
});
