// A server can present a certificate with a malformed extension: probe records it, evaluate judges it
// (extension error as evidence), and neither exits 3. The certificate is made by the openssl CLI.
// The peer is node:tls (OpenSSL) on loopback: OpenLDAP slapd (GnuTLS) refuses to load such a certificate
// ("TLS: could not use certificate: ASN1 parser: Error in TAG"), but Schannel and OpenSSL servers present it.
import { join } from "node:path";
import { readFileSync } from "node:fs";
import * as tls from "node:tls";
import { Pki, Issued } from "../helpers/openssl";
import { hasCommand, PEER_DEADLINE_MS, requirePeer } from "../helpers/peers";
import { runCliAsync } from "../helpers/cli";

const FQDN = "dc1.example.test";
const haveOpenssl = requirePeer("openssl", hasCommand("openssl", ["version"]), "apt-get install openssl");
const d = haveOpenssl ? describe : describe.skip;

d("probe then evaluate a peer presenting a certificate with a malformed SAN", () => {
  let pki: Pki;
  let root: Issued;
  let server: tls.Server | undefined;

  beforeAll(() => {
    pki = new Pki();
    root = pki.issue("root", { cn: "Test Root CA", ca: true });
  });
  afterAll(async () => {
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    pki?.cleanup();
  });

  test("probe exits normally, evaluate reports the extension error and exits 1", async () => {
    const leaf = pki.issue("bad-san", { cn: FQDN, eku: "serverAuth", extra: ["subjectAltName = DER:05:00"] }, root);
    server = tls.createServer({ key: readFileSync(leaf.keyPath), cert: leaf.pem }, (s) => {
      s.on("error", () => undefined);
      s.end(); // TLS works; LDAP does not answer (recorded as rootDSE evidence, not a failure of the probe)
    });
    server.on("tlsClientError", () => undefined);
    const port = await new Promise<number>((resolve) => server!.listen(0, "127.0.0.1", () => resolve((server!.address() as { port: number }).port)));
    const out = join(pki.dir, "dc1.probe.json");
    const probe = await runCliAsync(["probe", `127.0.0.1:${port}`, "--servername", FQDN, "--ca", root.certPath, "--no-versions", "--timeout", String(PEER_DEADLINE_MS), "-o", out]);
    expect(probe.stderr).not.toMatch(/internal error/);
    expect([0, 1]).toContain(probe.code);
    const snapshot = JSON.parse(readFileSync(out, "utf8"));
    expect(snapshot.network.endpoints[0].tls.chain).toHaveLength(1);

    const ev = await runCliAsync(["evaluate", out, "--format", "json"]);
    expect(ev.stderr).toBe("");
    expect(ev.code).toBe(1);
    const target = JSON.parse(ev.stdout).targets[0];
    const presented = target.certificates.find((c: { source: string }) => c.source === "network");
    expect(presented.extensionErrors).toEqual([{ oid: "2.5.29.17", name: "Subject Alternative Name", message: expect.stringMatching(/^is malformed: /) }]);
    expect(presented.controls.find((c: { id: string }) => c.id === "LDAPS-C02")).toMatchObject({ status: "error", message: expect.stringMatching(/Subject Alternative Name extension \(2\.5\.29\.17\) is malformed/) });
    // The rest of the evidence is still judged: the handshake itself worked.
    expect(target.controls.find((c: { id: string }) => c.id === "LDAPS-N01")?.status).toBe("pass");
  });
});
