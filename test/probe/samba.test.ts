// The probe against a real Samba Active Directory DC: LDAPS 636, GC 3269, StartTLS 389, AD rootDSE,
// UPN simple binds, directory discovery of DCs, and a certificate swap the probe notices.
import { X509Certificate } from "node:crypto";
import { Pki, Issued } from "../helpers/openssl";
import { PEER_DEADLINE_MS, requirePeer } from "../helpers/peers";
import { mergeNetworkEvidence, probeEndpoint, probeHost } from "../../lib/probe";
import { evaluateSnapshot } from "../../lib/audit";
import { loadProfile } from "../../lib/profile/load";
import { dcSnapshot, storeCert } from "../helpers/snapshot";
import { sambaPaths, startSambaDc, SambaDc, SAMBA_ADMIN_PASSWORD, SAMBA_FQDN, SAMBA_UPN } from "./helpers/samba";

const paths = sambaPaths();
const isRoot = process.getuid?.() === 0;
const haveSamba = requirePeer("samba AD DC", Boolean(paths.samba && paths.tool) && isRoot, "apt-get install samba samba-ad-dc samba-ad-provision samba-dsdb-modules samba-vfs-modules winbind (and run as root)");
const d = haveSamba ? describe : describe.skip;
const fp = (c: Issued) => new X509Certificate(c.der).fingerprint.replace(/:/g, "");
const thumb = (b64: string) => new X509Certificate(Buffer.from(b64, "base64")).fingerprint.replace(/:/g, "");

/** Open TCP/TLS handles in this process (to prove the probe closes every socket). */
const openSockets = () => process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap" || r === "TLSWrap").length;

d("probe against a Samba AD DC", () => {
  let pki: Pki;
  let root: Issued;
  let first: Issued;
  let second: Issued;
  let dc: SambaDc | undefined;
  const opts = () => ({ ca: [root.pem], servername: SAMBA_FQDN, timeoutMs: PEER_DEADLINE_MS });

  beforeAll(async () => {
    pki = new Pki();
    root = pki.issue("root", { cn: "Samba Test Root", ca: true });
    const spec = { cn: SAMBA_FQDN, san: `DNS:${SAMBA_FQDN},IP:127.0.0.1`, eku: "serverAuth", keyUsage: "critical,digitalSignature,keyEncipherment" };
    first = pki.issue("first", spec, root);
    second = pki.issue("second", spec, root);
    dc = await startSambaDc(first.certPath, first.keyPath);
});
  afterAll(async () => {
    await dc?.stop();
    pki?.cleanup();
});
  test("636, 3269 and StartTLS 389: verified handshakes, the same certificate, the real AD rootDSE", async () => {
    const r = await probeHost({ host: "127.0.0.1" }, opts());
    const eps = r.snapshot.network!.endpoints;
    expect(eps.map((e) => [e.port, e.mode, e.purpose])).toEqual([[636, "ldaps", "ldap"], [3269, "ldaps", "gc"], [389, "starttls", "ldap"]]);
    for (const e of eps) {
      expect(e.failure).toBeNull();
      expect(e.tls).toMatchObject({ authorized: true, hostnameMatches: true });
      expect(thumb(e.tls!.chain![0])).toBe(fp(first));
      expect(e.versions?.["TLSv1.2"]).toBe(true);
      expect(e.ldap?.rootDse).toMatchObject({ dnsHostName: SAMBA_FQDN, isGlobalCatalogReady: true, defaultNamingContext: "DC=example,DC=test" });
      expect(e.ldap?.rootDse?.supportedLDAPVersion).toEqual(expect.arrayContaining(["2", "3"]));
    }
});
  test("UPN simple bind over LDAPS succeeds and lists the DCs in OU=Domain Controllers", async () => {
    const r = await probeEndpoint({ host: "127.0.0.1", port: 636, mode: "ldaps", purpose: "ldap" }, {
      ...opts(), versions: false, credentials: { dn: SAMBA_UPN, password: SAMBA_ADMIN_PASSWORD }, discoverDomainControllers: true,
    });
    expect(r.evidence.ldap?.bind).toEqual({ attempted: true, dn: SAMBA_UPN, ok: true, error: null, skippedReason: null });
    expect(r.discovered).toEqual([SAMBA_FQDN]);
    expect(JSON.stringify(r)).not.toContain(SAMBA_ADMIN_PASSWORD);
});
  test("UPN bind over StartTLS succeeds too", async () => {
    const r = await probeEndpoint({ host: "127.0.0.1", port: 389, mode: "starttls", purpose: "ldap" }, { ...opts(), versions: false, credentials: { dn: SAMBA_UPN, password: SAMBA_ADMIN_PASSWORD } });
    expect(r.evidence.ldap?.bind?.ok).toBe(true);
});
  test("a wrong password fails cleanly (invalid credentials) and leaves no socket open", async () => {
    const before = openSockets();
    const r = await probeEndpoint({ host: "127.0.0.1", port: 636, mode: "ldaps", purpose: "ldap" }, { ...opts(), versions: false, credentials: { dn: SAMBA_UPN, password: "Not-The-Password-1" } });
    expect(r.evidence.ldap?.bind?.attempted).toBe(true);
    expect(r.evidence.ldap?.bind?.ok).toBe(false);
    expect(r.evidence.ldap?.bind?.error).toMatch(/80090308|invalid credentials|0x31/i);
    expect(JSON.stringify(r)).not.toContain("Not-The-Password-1");
    await new Promise((res) => setImmediate(res));
    expect(openSockets()).toBeLessThanOrEqual(before);
});
  test("a certificate swap (restart with a second certificate) changes the thumbprint the probe sees", async () => {
    const before = await probeEndpoint({ host: "127.0.0.1", port: 636, mode: "ldaps", purpose: "ldap" }, { ...opts(), versions: false });
    expect(thumb(before.evidence.tls!.chain![0])).toBe(fp(first));
    await dc!.swapCertificate(second.certPath, second.keyPath);
    const after = await probeEndpoint({ host: "127.0.0.1", port: 636, mode: "ldaps", purpose: "ldap" }, { ...opts(), versions: false });
    expect(thumb(after.evidence.tls!.chain![0])).toBe(fp(second));
    // N03: the store evidence predicts the first certificate; the wire now shows the second.
    const store = dcSnapshot({ machine: [storeCert(first)], roots: [root] });
    const probe = await probeHost({ host: "127.0.0.1", port: 636 }, { ...opts(), versions: false });
    const n03 = (s: typeof store) => evaluateSnapshot(s, loadProfile("baseline"), new Date(), "samba").flatMap((t) => t.evaluation.controls).find((r) => r.id === "LDAPS-N03")!;
    const r = n03(mergeNetworkEvidence(store, probe.snapshot));
    expect(r.status).toBe("fail");
    expect(r.message).toContain(fp(second));
    expect(r.message).toContain(fp(first));
    expect(n03(mergeNetworkEvidence(dcSnapshot({ machine: [storeCert(second)], roots: [root] }), probe.snapshot)).status).toBe("pass");
});
});
