// probe --ciphers against real peers on loopback: OpenLDAP slapd (GnuTLS) with a restricted priority string
// shows exactly the suites configured, and an `openssl s_server` offering only RSA key transport + CBC shows
// the no-forward-secrecy and CBC-only flags. Handshakes are counted, never timed.
import { spawn, ChildProcess } from "node:child_process";
import { Pki, Issued } from "../helpers/openssl";
import { PEER_DEADLINE_MS, requirePeer, hasCommand } from "../helpers/peers";
import { probeEndpoint, probeCiphers, probeVersions, locallyOfferable } from "../../lib/probe";
import { CIPHER_SUITES, suitesFor } from "../../lib/cipher-suites";
import { wireFacts } from "../../lib/facts/tlsSurface";
import { renderProbeText } from "../../lib/probe/render";
import type { Snapshot } from "../../lib/snapshot";
import { startSlapd, slapdPath, Slapd } from "./helpers/slapd";
import { freePort, waitForPort, killGroup, trackPeer } from "./helpers/net";
import { runCliAsync } from "../helpers/cli";

const FQDN = "dc1.example.test";
const haveSlapd = requirePeer("slapd", slapdPath() !== null, "apt-get install slapd ldap-utils");
const haveOpenssl = requirePeer("openssl", hasCommand("openssl", ["version"]), "apt-get install openssl");

const ep = (port: number, mode: "ldaps" | "starttls" = "ldaps") => ({ host: "127.0.0.1", port, mode, purpose: "ldap" as const });
const forever = { remaining: () => PEER_DEADLINE_MS };
const snapshotOf = (endpoints: Snapshot["network"] extends infer N ? (N extends { endpoints: infer E } ? E : never) : never): Snapshot =>
  ({ schemaVersion: 1, host: { fqdn: FQDN }, network: { endpoints } }) as unknown as Snapshot;

describe("what this Node's OpenSSL can offer (stated, not assumed)", () => {
  test("RC4, DES and 3DES suites are untestable here; AES/ChaCha/TLS 1.3 suites are offerable", () => {
    const can = locallyOfferable();
    const legacy = CIPHER_SUITES.filter((s) => s.cipher === "RC4" || s.cipher === "3DES-CBC" || s.cipher === "DES-CBC");
    // If a future OpenSSL build offers them again, this test says so and the untestable list shrinks by itself.
    expect(legacy.filter((s) => can.has(s.name))).toEqual([]);
    expect(can.has("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")).toBe(true);
    expect(can.has("TLS_RSA_WITH_AES_128_CBC_SHA")).toBe(true);
    expect(can.has("TLS_AES_128_GCM_SHA256")).toBe(true);
  });
});

(haveSlapd ? describe : describe.skip)("probe --ciphers against OpenLDAP slapd (GnuTLS)", () => {
  let pki: Pki;
  let leaf: Issued;
  const servers: Slapd[] = [];
  const slapd = async (cipherSuite: string) => {
    const certFile = pki.write(`${leaf.name}-served.pem`, leaf.pem);
    const s = await startSlapd({ certFile, keyFile: leaf.keyPath, cipherSuite });
    servers.push(s);
    return s;
  };
  beforeAll(() => {
    pki = new Pki();
    const { root } = pki.hierarchy();
    leaf = pki.issue("leaf", { cn: FQDN, san: `DNS:${FQDN}`, eku: "serverAuth", keyUsage: "critical,digitalSignature,keyEncipherment" }, root);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    pki?.cleanup();
  });

  // TLS 1.2 only, ECDHE-RSA only, AES-128-GCM and AES-256-CBC with SHA-1: exactly two IANA suites.
  const TWO_SUITES = "NONE:+VERS-TLS1.2:+ECDHE-RSA:+AES-128-GCM:+AES-256-CBC:+AEAD:+SHA1:+COMP-NULL:+SIGN-ALL:+CURVE-ALL:+CTYPE-X509";

  test("a restricted olcTLSCipherSuite shows exactly the configured suites, for accepted + 1 handshakes", async () => {
    const s = await slapd(TWO_SUITES);
    const r = await probeEndpoint(ep(s.ldapsPort), { ca: [], servername: FQDN, timeoutMs: PEER_DEADLINE_MS, ciphers: true });
    const e = r.evidence;
    expect(e.versions).toEqual({ TLSv1: false, "TLSv1.1": false, "TLSv1.2": true, "TLSv1.3": false });
    const v12 = e.ciphers!.versions["TLSv1.2"]!;
    expect([...v12.accepted].sort()).toEqual(["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"]);
    expect(v12.stopped).toBeNull();
    expect(v12.notTested).toEqual([]);
    // Every catalogue suite of TLS 1.2 lands in exactly one list.
    const all = [...v12.accepted, ...v12.refused, ...v12.untestable, ...v12.notTested].sort();
    expect(all).toEqual(suitesFor("TLSv1.2").map((x) => x.name).sort());
    expect(v12.untestable).toEqual(expect.arrayContaining(["TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_RC4_128_SHA"]));
    // Only the accepted version was enumerated, and it cost 2 accepted + 1 refusal.
    expect(Object.keys(e.ciphers!.versions)).toEqual(["TLSv1.2"]);
    expect(e.ciphers!.handshakes).toBe(3);
    const f = wireFacts(snapshotOf([e]))!;
    expect(f.enumerated).toBe(true);
    expect(f.complete).toBe(true);
    expect(f.weaknesses).toEqual([]); // ECDHE everywhere, and an AEAD suite on TLS 1.2
    expect(f.tls12Accepted).toBe(true);
    // RC4/3DES could not be offered: said, never claimed refused.
    expect(f.untested.some((u) => /^rc4 at TLSv1\.2 .*cannot offer/.test(u))).toBe(true);
    expect(f.untested.some((u) => /^3des at TLSv1\.2/.test(u))).toBe(true);
  });

  test("the CLI: probe --ciphers --format text lists the suites per version and the handshake count", async () => {
    const s = await slapd(TWO_SUITES);
    const r = await runCliAsync(["probe", `127.0.0.1:${s.ldapsPort}`, "--servername", FQDN, "--ciphers", "--format", "text", "--timeout", String(PEER_DEADLINE_MS)]);
    expect(r.stdout).toMatch(/TLSv1\.2 suites: TLS_ECDHE_RSA_WITH_AES_(128_GCM_SHA256|256_CBC_SHA), TLS_ECDHE_RSA_WITH_AES_(128_GCM_SHA256|256_CBC_SHA)\n/);
    expect(r.stdout).toMatch(/TLSv1\.2 untestable here: \d+ suites this prober's OpenSSL [\d.]+ cannot offer \(.*TLS_RSA_WITH_3DES_EDE_CBC_SHA/);
    expect(r.stdout).toMatch(/cipher handshakes: 3 of at most 64/);
    const json = await runCliAsync(["probe", `127.0.0.1:${s.ldapsPort}`, "--servername", FQDN, "--ciphers", "--max-cipher-handshakes", "2", "--format", "json", "--timeout", String(PEER_DEADLINE_MS)]);
    const ciphers = JSON.parse(json.stdout).network.endpoints[0].ciphers;
    expect(ciphers.handshakes).toBe(2);
    expect(ciphers.versions["TLSv1.2"].stopped).toMatch(/cap of 2/);
  });

  test("StartTLS on 389 enumerates the same way", async () => {
    const s = await slapd(TWO_SUITES);
    const c = await probeCiphers({ ...ep(s.ldapPort, "starttls"), servername: FQDN }, ["TLSv1.2"], forever);
    expect([...c.versions["TLSv1.2"]!.accepted].sort()).toEqual(["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"]);
    expect(c.handshakes).toBe(3);
  });

  test("the handshake cap stops the enumeration and says what was not asked", async () => {
    const s = await slapd(TWO_SUITES);
    const c = await probeCiphers({ ...ep(s.ldapsPort), servername: FQDN }, ["TLSv1.2"], forever, { maxHandshakes: 1 });
    const v = c.versions["TLSv1.2"]!;
    expect(c.handshakes).toBe(1);
    expect(v.accepted).toHaveLength(1);
    expect(v.refused).toEqual([]);
    expect(v.notTested.length).toBeGreaterThan(0);
    expect(v.stopped).toMatch(/cap of 1 handshakes/);
    const f = wireFacts(snapshotOf([{ ...ep(s.ldapsPort), versions: { "TLSv1.2": true }, ciphers: c }]))!;
    expect(f.complete).toBe(false);
    expect(f.untested.some((u) => /not asked/.test(u))).toBe(true);
  });

  test("no time left: nothing is asked, nothing is claimed refused", async () => {
    const s = await slapd(TWO_SUITES);
    const c = await probeCiphers({ ...ep(s.ldapsPort), servername: FQDN }, ["TLSv1.2"], { remaining: () => 0 });
    expect(c.versions["TLSv1.2"]!.accepted).toEqual([]);
    expect(c.versions["TLSv1.2"]!.refused).toEqual([]);
    expect(c.versions["TLSv1.2"]!.stopped).toMatch(/time ran out/);
  });
});

(haveOpenssl ? describe : describe.skip)("probe --ciphers against openssl s_server (RSA key transport, CBC only)", () => {
  let pki: Pki;
  let leaf: Issued;
  let child: ChildProcess | null = null;
  let port = 0;
  beforeAll(async () => {
    pki = new Pki();
    const { root } = pki.hierarchy();
    leaf = pki.issue("rsa-kx", { cn: FQDN, san: `DNS:${FQDN}`, eku: "serverAuth", keyUsage: "critical,digitalSignature,keyEncipherment" }, root);
    port = await freePort();
    // Debian's OpenSSL 3 has no 3DES/RC4 suites at any security level (`openssl ciphers -V 'ALL:@SECLEVEL=0'`
    // lists none), so this peer shows the two flags it can: no forward secrecy and CBC-only TLS 1.2.
    child = spawn("openssl", ["s_server", "-quiet", "-accept", `127.0.0.1:${port}`, "-cert", leaf.certPath, "-key", leaf.keyPath, "-tls1_2", "-cipher", "AES128-SHA:AES256-SHA256:@SECLEVEL=0"], {
      stdio: ["pipe", "ignore", "ignore"],
      detached: true,
    });
    trackPeer(child);
    await waitForPort(port, PEER_DEADLINE_MS);
  });
  afterAll(async () => {
    if (child) await killGroup(child);
    pki?.cleanup();
  });

  test("accepted suites are the two RSA-kx CBC ones: no forward secrecy, CBC-only on TLS 1.2; the text output shows them", async () => {
    // s_server serves one connection at a time and never answers LDAP, so the version and cipher probes are
    // called directly (probeEndpoint's main connection would hold it until the deadline).
    const versions = await probeVersions(ep(port), { servername: FQDN, timeoutMs: PEER_DEADLINE_MS });
    const ciphers = await probeCiphers({ ...ep(port), servername: FQDN }, (["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] as const).filter((v) => versions[v] === true), forever);
    const e = { ...ep(port), failure: null, tls: { protocol: "TLSv1.2", cipher: null, chain: [], authorized: false, authorizationError: null, hostnameMatches: null }, versions, ciphers };
    expect(e.versions?.["TLSv1.2"]).toBe(true);
    expect(e.versions?.["TLSv1.3"]).toBe(false);
    expect([...e.ciphers!.versions["TLSv1.2"]!.accepted].sort()).toEqual(["TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA256"]);
    expect(e.ciphers!.handshakes).toBe(3);
    const f = wireFacts(snapshotOf([e]))!;
    expect(f.weaknesses).toEqual(["cbc-only-tls12", "no-forward-secrecy"]);
    expect(f.weaknessDetails.join("\n")).toMatch(/TLS_RSA_WITH_AES_128_CBC_SHA: no forward secrecy/);
    const text = renderProbeText([snapshotOf([e])]);
    expect(text).toMatch(/TLSv1\.2 suites: TLS_RSA_WITH_AES_/);
    expect(text).toMatch(/weak: .*no forward secrecy/);
    expect(text).toMatch(/untestable here: \d+ suites/);
  });
});

(haveSlapd ? describe : describe.skip)("probe --ciphers: TLS 1.3 suites (their own list in OpenSSL)", () => {
  let pki: Pki;
  let s: Slapd;
  beforeAll(async () => {
    pki = new Pki();
    const { root } = pki.hierarchy();
    const leaf = pki.issue("leaf13", { cn: FQDN, san: `DNS:${FQDN}`, eku: "serverAuth", keyUsage: "critical,digitalSignature,keyEncipherment" }, root);
    // TLS 1.3 only, with two of its suites.
    s = await startSlapd({ certFile: leaf.certPath, keyFile: leaf.keyPath, cipherSuite: "NONE:+VERS-TLS1.3:+AES-256-GCM:+CHACHA20-POLY1305:+AEAD:+GROUP-ALL:+SIGN-ALL:+CTYPE-X509:+COMP-NULL" });
  });
  afterAll(async () => {
    await s?.stop();
    pki?.cleanup();
  });

  test("exactly the two configured TLS 1.3 suites, accepted + 1 handshakes", async () => {
    const c = await probeCiphers({ ...ep(s.ldapsPort), servername: FQDN }, ["TLSv1.3"], forever);
    const v = c.versions["TLSv1.3"]!;
    expect([...v.accepted].sort()).toEqual(["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"]);
    expect([...v.refused].sort()).toEqual(["TLS_AES_128_CCM_8_SHA256", "TLS_AES_128_CCM_SHA256", "TLS_AES_128_GCM_SHA256"]);
    expect(v.untestable).toEqual([]);
    expect(c.handshakes).toBe(3);
  });
});
