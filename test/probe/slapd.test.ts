// The probe against a real OpenLDAP slapd (GnuTLS build) on loopback, certificates made by the openssl CLI.
import { X509Certificate } from "node:crypto";
import { Pki, Issued } from "../helpers/openssl";
import { PEER_DEADLINE_MS, requirePeer } from "../helpers/peers";
import { probeEndpoint, probeHost } from "../../lib/probe";
import { startSlapd, slapdPath, Slapd, SLAPD_ROOTDN, SLAPD_ROOTPW } from "./helpers/slapd";

const FQDN = "dc1.example.test";
const haveSlapd = requirePeer("slapd", slapdPath() !== null, "apt-get install slapd ldap-utils");
const d = haveSlapd ? describe : describe.skip;

const thumb = (b64: string) => new X509Certificate(Buffer.from(b64, "base64")).fingerprint.replace(/:/g, "");
const fp = (c: Issued) => new X509Certificate(c.der).fingerprint.replace(/:/g, "");

d("probe against OpenLDAP slapd", () => {
  let pki: Pki;
  let root: Issued;
  let intermediate: Issued;
  let good: Issued;
  const servers: Slapd[] = [];
  const slapd = async (leaf: Issued, opts: { chain?: Issued[]; cipherSuite?: string } = {}) => {
    const certFile = pki.write(`${leaf.name}-served.pem`, [leaf, ...(opts.chain ?? [])].map((c) => c.pem).join(""));
    const s = await startSlapd({ certFile, keyFile: leaf.keyPath, cipherSuite: opts.cipherSuite });
    servers.push(s);
    return s;
  };
  const ep = (port: number, mode: "ldaps" | "starttls" = "ldaps") => ({ host: "127.0.0.1", port, mode, purpose: "ldap" as const });
  const opts = () => ({ ca: [root.pem], servername: FQDN, timeoutMs: PEER_DEADLINE_MS, versions: false });

  beforeAll(() => {
    pki = new Pki();
    ({ root, intermediate } = pki.hierarchy());
    good = pki.issue("good", { cn: FQDN, san: `DNS:${FQDN},IP:127.0.0.1`, eku: "serverAuth", keyUsage: "critical,digitalSignature,keyEncipherment" }, intermediate);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    pki?.cleanup();
  });

  test("good certificate: handshake, full chain leaf first, verified, name matches, rootDSE, bind", async () => {
    const s = await slapd(good, { chain: [intermediate] });
    const r = await probeEndpoint(ep(s.ldapsPort), { ...opts(), credentials: { dn: SLAPD_ROOTDN, password: SLAPD_ROOTPW } });
    const e = r.evidence;
    expect(e.failure).toBeNull();
    expect(e.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(e.tls?.cipher).toBeTruthy();
    expect(e.tls?.authorized).toBe(true);
    expect(e.tls?.hostnameMatches).toBe(true);
    expect(thumb(e.tls!.chain![0])).toBe(fp(good));
    expect(thumb(e.tls!.chain![1])).toBe(fp(intermediate));
    expect(e.ldap?.rootDse?.supportedLDAPVersion).toContain("3");
    expect(e.ldap?.rootDseError).toBeNull();
    expect(e.ldap?.bind).toEqual({ attempted: true, dn: SLAPD_ROOTDN, ok: true, error: null, skippedReason: null });
    expect(JSON.stringify(e)).not.toContain(SLAPD_ROOTPW);
  });

  test("wrong password: the bind fails cleanly and the password never appears", async () => {
    const s = await slapd(good, { chain: [intermediate] });
    const r = await probeEndpoint(ep(s.ldapsPort), { ...opts(), credentials: { dn: SLAPD_ROOTDN, password: "wrong-password-xyz" } });
    expect(r.evidence.ldap?.bind?.attempted).toBe(true);
    expect(r.evidence.ldap?.bind?.ok).toBe(false);
    expect(r.evidence.ldap?.bind?.error).toMatch(/invalid credentials|0x31|49/i);
    expect(JSON.stringify(r)).not.toContain("wrong-password-xyz");
  });

  test("StartTLS on the plain port presents the same certificate", async () => {
    const s = await slapd(good, { chain: [intermediate] });
    const r = await probeEndpoint(ep(s.ldapPort, "starttls"), opts());
    expect(r.evidence.failure).toBeNull();
    expect(r.evidence.mode).toBe("starttls");
    expect(thumb(r.evidence.tls!.chain![0])).toBe(fp(good));
    expect(r.evidence.ldap?.rootDse?.supportedLDAPVersion).toContain("3");
  });

  test("LDAPS port spoken to as StartTLS, and plain port spoken to as LDAPS, fail with distinct kinds", async () => {
    const s = await slapd(good, { chain: [intermediate] });
    const a = await probeEndpoint(ep(s.ldapPort, "ldaps"), opts());
    expect(a.evidence.failure?.stage).toBe("tls");
    expect(["protocol", "reset", "tls-alert"]).toContain(a.evidence.failure?.kind);
    const b = await probeEndpoint(ep(s.ldapsPort, "starttls"), opts());
    expect(b.evidence.failure?.stage).toBe("starttls");
  });

  test("wrong name: handshake works, hostname check fails, credentials are not sent", async () => {
    const wrong = pki.issue("wrongname", { cn: "other.example.test", san: "DNS:other.example.test", eku: "serverAuth" }, intermediate);
    const s = await slapd(wrong, { chain: [intermediate] });
    const r = await probeEndpoint(ep(s.ldapsPort), { ...opts(), credentials: { dn: SLAPD_ROOTDN, password: SLAPD_ROOTPW } });
    expect(r.evidence.failure).toBeNull();
    expect(r.evidence.tls?.authorized).toBe(true);
    expect(r.evidence.tls?.hostnameMatches).toBe(false);
    expect(r.evidence.ldap?.bind?.attempted).toBe(false);
    expect(r.evidence.ldap?.bind?.skippedReason).toMatch(/does not name dc1\.example\.test/);
    const insecure = await probeEndpoint(ep(s.ldapsPort), { ...opts(), insecure: true, credentials: { dn: SLAPD_ROOTDN, password: SLAPD_ROOTPW } });
    expect(insecure.evidence.ldap?.bind?.ok).toBe(true);
  });

  test("expired certificate: verification fails with CERT_HAS_EXPIRED", async () => {
    const expired = pki.issue("expired", { cn: FQDN, san: `DNS:${FQDN},IP:127.0.0.1`, eku: "serverAuth", start: "20200101000000Z", end: "20210101000000Z" }, intermediate);
    const s = await slapd(expired, { chain: [intermediate] });
    const r = await probeEndpoint(ep(s.ldapsPort), { ...opts(), credentials: { dn: SLAPD_ROOTDN, password: SLAPD_ROOTPW } });
    expect(r.evidence.tls?.authorized).toBe(false);
    expect(r.evidence.tls?.authorizationError).toBe("CERT_HAS_EXPIRED");
    expect(r.evidence.ldap?.bind?.attempted).toBe(false);
    expect(r.evidence.ldap?.rootDse).not.toBeNull();
  });

  test("untrusted CA: verification fails, the chain is still recorded", async () => {
    const other = new Pki();
    try {
      const otherRoot = other.issue("otherroot", { cn: "Other Root", ca: true });
      const leaf = other.issue("untrusted", { cn: FQDN, san: `DNS:${FQDN},IP:127.0.0.1`, eku: "serverAuth" }, otherRoot);
      const s = await slapd(leaf, { chain: [otherRoot] });
      const r = await probeEndpoint(ep(s.ldapsPort), opts());
      expect(r.evidence.failure).toBeNull();
      expect(r.evidence.tls?.authorized).toBe(false);
      expect(r.evidence.tls?.authorizationError).toMatch(/SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER/);
      expect(thumb(r.evidence.tls!.chain![0])).toBe(fp(leaf));
      expect(r.evidence.tls!.chain!.length).toBe(2);
    } finally {
      other.cleanup();
    }
  });

  test("missing intermediate: only the leaf is presented and it does not verify", async () => {
    const s = await slapd(good);
    const r = await probeEndpoint(ep(s.ldapsPort), opts());
    expect(r.evidence.tls?.chain).toHaveLength(1);
    expect(r.evidence.tls?.authorized).toBe(false);
    expect(r.evidence.tls?.authorizationError).toBe("UNABLE_TO_VERIFY_LEAF_SIGNATURE");
  });

  test("TLS versions: legacy disabled with NORMAL:-VERS-TLS1.0:-VERS-TLS1.1", async () => {
    const s = await slapd(good, { chain: [intermediate], cipherSuite: "NORMAL:-VERS-TLS1.0:-VERS-TLS1.1" });
    const r = await probeEndpoint(ep(s.ldapsPort), { ...opts(), versions: true });
    expect(r.evidence.versions).toEqual({ TLSv1: false, "TLSv1.1": false, "TLSv1.2": true, "TLSv1.3": true });
  });

  test("TLS versions: legacy enabled with NORMAL:+VERS-TLS1.0:+VERS-TLS1.1", async () => {
    const s = await slapd(good, { chain: [intermediate], cipherSuite: "NORMAL:+VERS-TLS1.0:+VERS-TLS1.1" });
    const r = await probeEndpoint(ep(s.ldapsPort), { ...opts(), versions: true });
    expect(r.evidence.versions).toEqual({ TLSv1: true, "TLSv1.1": true, "TLSv1.2": true, "TLSv1.3": true });
  });

  test("probeHost: one snapshot with every endpoint, refused port told apart", async () => {
    const s = await slapd(good, { chain: [intermediate] });
    const { freePort } = await import("./helpers/net");
    const closed = await freePort();
    const r = await probeHost({ host: "127.0.0.1" }, { ...opts(), ports: [s.ldapsPort, closed] });
    expect(r.snapshot.collector?.name).toBe("ldaps-audit-probe");
    expect(r.snapshot.host.fqdn).toBe(FQDN);
    expect(r.snapshot.network?.endpoints).toHaveLength(2);
    expect(r.snapshot.network?.endpoints[1].failure).toMatchObject({ kind: "refused", stage: "tcp" });
  });
});
