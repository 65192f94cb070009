// Network facts and controls LDAPS-N01..N07: a table of (snapshot network evidence -> expected status),
// with certificates made by the openssl CLI, evaluated through the real facts -> profile pipeline.
import { evaluateSnapshot } from "../../lib/audit";
import { loadProfile } from "../../lib/profile/load";
import { validatorFor, FACTS_SCHEMA_ID } from "../../lib/schemas";
import { mergeNetworkEvidence } from "../../lib/probe";
import type { EndpointEvidence, Snapshot } from "../../lib/snapshot";
import { Pki, Issued } from "../helpers/openssl";
import { requirePeer, hasCommand } from "../helpers/peers";
import { dcSnapshot, storeCert, FQDN } from "../helpers/snapshot";

const haveOpenssl = requirePeer("openssl", hasCommand("openssl", ["version"]), "apt-get install openssl");
const d = haveOpenssl ? describe : describe.skip;
const NOW = new Date("2026-06-01T00:00:00Z");
const N = ["LDAPS-N01", "LDAPS-N02", "LDAPS-N03", "LDAPS-N04", "LDAPS-N05", "LDAPS-N06", "LDAPS-N07"];

type Ep = Partial<EndpointEvidence> & { chain?: Issued[]; authorized?: boolean; authorizationError?: string | null; protocol?: string };

d("network facts and controls LDAPS-N01..N07", () => {
  let pki: Pki;
  const c: Record<string, Issued> = {};

  const endpoint = (e: Ep): EndpointEvidence => {
    const { chain, authorized, authorizationError, protocol, ...rest } = e;
    const port = rest.port ?? 636;
    const base: EndpointEvidence = {
      host: FQDN,
      port,
      mode: port === 389 ? "starttls" : "ldaps",
      purpose: port === 3269 ? "gc" : "ldap",
      servername: FQDN,
      failure: null,
      tls: {
        protocol: protocol ?? "TLSv1.3",
        cipher: "TLS_AES_256_GCM_SHA384",
        chain: (chain ?? [c.good, c.intermediate]).map((x) => x.der.toString("base64")),
        authorized: authorized ?? true,
        authorizationError: authorizationError ?? null,
        hostnameMatches: true,
      },
      versions: { TLSv1: false, "TLSv1.1": false, "TLSv1.2": true, "TLSv1.3": true },
      ldap: {
        rootDse: { dnsHostName: FQDN, isGlobalCatalogReady: true, supportedLDAPVersion: ["2", "3"], defaultNamingContext: "DC=example,DC=test", vendorName: null },
        rootDseError: null,
        bind: { attempted: true, dn: "audit@example.test", ok: true, error: null, skippedReason: null },
      },
    };
    const out = { ...base, ...rest };
    if (rest.failure) {
      out.tls = null;
      out.versions = null;
      out.ldap = null;
    }
    return out;
  };
  const probeSnap = (eps: Ep[]): Snapshot => ({
    schemaVersion: 1,
    collector: { name: "ldaps-audit-probe" },
    host: { fqdn: FQDN },
    network: { probedAt: "2026-06-01T00:00:00Z", endpoints: eps.map(endpoint) },
  });
  const healthy = (): Ep[] => [{ port: 636 }, { port: 3269 }, { port: 389 }];

  const statuses = (snapshot: Snapshot) => {
    const [t] = evaluateSnapshot(snapshot, loadProfile("hardened"), NOW, "test");
    const validate = validatorFor(FACTS_SCHEMA_ID);
    if (!validate(JSON.parse(JSON.stringify(t.facts)))) throw new Error(`facts do not match the schema: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
    return Object.fromEntries(t.evaluation.controls.filter((r) => N.includes(r.id)).map((r) => [r.id, { status: r.status, message: r.message }]));
  };
  const only = (snapshot: Snapshot) => Object.fromEntries(Object.entries(statuses(snapshot)).map(([k, v]) => [k, v.status]));

  beforeAll(() => {
    pki = new Pki();
    const { root, intermediate } = pki.hierarchy();
    Object.assign(c, { root, intermediate });
    // RSA 3072: what the hardened profile's C09 asks for, so "healthy" is healthy under hardened's N02 too.
    const spec = { cn: FQDN, san: `DNS:${FQDN}`, eku: "serverAuth", keyUsage: "critical,digitalSignature,keyEncipherment", key: "rsa:3072" };
    c.good = pki.issue("good", spec, intermediate);
    c.renewed = pki.issue("renewed", { ...spec, end: "20460101000000Z" }, intermediate);
    c.noEku = pki.issue("noeku", { cn: FQDN, san: `DNS:${FQDN}` }, intermediate);
    c.wrongName = pki.issue("wrongname", { ...spec, cn: "other.example.test", san: "DNS:other.example.test" }, intermediate);
    c.expired = pki.issue("expired", { ...spec, start: "20200101000000Z", end: "20210101000000Z" }, intermediate);
    c.weakKey = pki.issue("weakkey", { ...spec, key: "rsa:1024" }, intermediate);
  });
  afterAll(() => pki?.cleanup());

  test("no network evidence: every N-control is skip", () => {
    const s = dcSnapshot({ machine: [storeCert(c.good)], roots: [c.root], intermediates: [c.intermediate] });
    expect(only(s)).toEqual(Object.fromEntries(N.map((id) => [id, "skip"])));
  });

  test("healthy DC seen from the wire (probe-only snapshot): all pass but N03 (no store evidence: skip)", () => {
    expect(only(probeSnap(healthy()))).toEqual({
      "LDAPS-N01": "pass", "LDAPS-N02": "pass", "LDAPS-N03": "skip", "LDAPS-N04": "pass", "LDAPS-N05": "pass", "LDAPS-N06": "pass", "LDAPS-N07": "pass",
    });
  });

  test.each([
    ["reset", { kind: "reset", stage: "tls", message: "the server reset the connection during the TLS handshake", code: "ECONNRESET" }],
    ["refused", { kind: "refused", stage: "tcp", message: "connection refused", code: "ECONNREFUSED" }],
    ["timeout", { kind: "timeout", stage: "tls", message: "no answer within 10000 ms", code: "ETIMEDOUT" }],
  ] as const)("636 %s: N01 fails naming the kind; certificate and LDAP controls skip", (kind, failure) => {
    const r = statuses(probeSnap([{ port: 636, failure: { ...failure } }]));
    expect(r["LDAPS-N01"].status).toBe("fail");
    expect(r["LDAPS-N01"].message).toContain(kind);
    expect([r["LDAPS-N02"].status, r["LDAPS-N04"].status, r["LDAPS-N05"].status]).toEqual(["skip", "skip", "skip"]);
  });

  test.each([
    // N02 applies the certificate controls to the presented certificate: each failure is named by its control.
    ["untrusted chain", { authorized: false, authorizationError: "UNABLE_TO_GET_ISSUER_CERT_LOCALLY" }, /^port 636 presents [0-9A-F]{40}: LDAPS-C08 the probing client rejected the chain: UNABLE_TO_GET_ISSUER/],
    ["no EKU", { chain: ["noEku"] }, /: LDAPS-C01 lacks the Server Authentication EKU/],
    ["wrong name", { chain: ["wrongName"] }, /: LDAPS-C02 no SAN DNS entry matches dc1\.example\.test/],
    ["expired", { chain: ["expired"] }, /: LDAPS-C06 not valid now: valid from 2020-01-01T00:00:00\.000Z to 2021-01-01/],
    ["weak key", { chain: ["weakKey"] }, /: LDAPS-C09 weak or unsupported key: RSA 1024 bits$/],
  ] as const)("N02 fails on %s", (_, change, message) => {
    const ep: Ep = { port: 636, ...change, chain: "chain" in change ? [c[change.chain[0]], c.intermediate] : undefined } as Ep;
    const r = statuses(probeSnap([ep]));
    expect(r["LDAPS-N01"].status).toBe("pass");
    expect(r["LDAPS-N02"].status).toBe("fail");
    expect(r["LDAPS-N02"].message).toMatch(message);
  });

  test("N02 follows the profile's C09: RSA 2048 on the wire passes baseline (2048) and fails hardened (3072), like C09", () => {
    const rsa2048 = pki.issue("rsa2048", { cn: FQDN, san: `DNS:${FQDN}`, eku: "serverAuth", keyUsage: "critical,digitalSignature,keyEncipherment", key: "rsa:2048" }, c.intermediate);
    const snap = probeSnap([{ port: 636, chain: [rsa2048, c.intermediate] }]);
    const verdicts = (profile: string) => {
      const [t] = evaluateSnapshot(snap, loadProfile(profile), NOW, "test");
      const presented = t.evaluation.certificateControls[t.facts.certificates.findIndex((x) => x.source === "network")];
      return { N02: t.evaluation.controls.find((r) => r.id === "LDAPS-N02")!.status, C09: presented.find((r) => r.id === "LDAPS-C09")!.status };
    };
    expect(verdicts("baseline")).toEqual({ N02: "pass", C09: "pass" });
    expect(verdicts("hardened")).toEqual({ N02: "fail", C09: "fail" });
  });

  test("N03: store predicts the certificate on 636 -> pass; a renewed certificate not picked up -> fail", () => {
    const store = dcSnapshot({ machine: [storeCert(c.good)], roots: [c.root], intermediates: [c.intermediate] });
    expect(statuses(mergeNetworkEvidence(store, probeSnap(healthy())))["LDAPS-N03"].status).toBe("pass");
    const renewedStore = dcSnapshot({ machine: [storeCert(c.renewed)], roots: [c.root], intermediates: [c.intermediate] });
    const r = statuses(mergeNetworkEvidence(renewedStore, probeSnap(healthy())));
    expect(r["LDAPS-N03"].status).toBe("fail");
    expect(r["LDAPS-N03"].message).toMatch(/but the store evidence predicts/);
  });

  test("N04: TLS 1.0 accepted -> fail; TLS 1.1 negotiated -> fail; versions not tested -> warn", () => {
    expect(only(probeSnap([{ port: 636, versions: { TLSv1: true, "TLSv1.1": false, "TLSv1.2": true, "TLSv1.3": true } }]))["LDAPS-N04"]).toBe("fail");
    expect(only(probeSnap([{ port: 636, protocol: "TLSv1.1" }]))["LDAPS-N04"]).toBe("fail");
    expect(only(probeSnap([{ port: 636, versions: null }]))["LDAPS-N04"]).toBe("warn");
  });

  test("N05: rootDSE unreadable or bind failed -> fail; bind skipped for an unverified chain -> warn; no credentials -> pass", () => {
    const ldap = (x: Partial<NonNullable<EndpointEvidence["ldap"]>>) => ({ rootDse: { dnsHostName: FQDN }, rootDseError: null, bind: null, ...x });
    expect(only(probeSnap([{ port: 636, ldap: ldap({ rootDse: null, rootDseError: "Connection closed" }) }]))["LDAPS-N05"]).toBe("fail");
    const failedBind = statuses(probeSnap([{ port: 636, ldap: ldap({ bind: { attempted: true, dn: "a@b", ok: false, error: "49: invalid credentials" } }) }]));
    expect(failedBind["LDAPS-N05"]).toMatchObject({ status: "fail", message: expect.stringContaining("invalid credentials") });
    expect(only(probeSnap([{ port: 636, ldap: ldap({ bind: { attempted: false, dn: "a@b", skippedReason: "not sending credentials" } }) }]))["LDAPS-N05"]).toBe("warn");
    expect(only(probeSnap([{ port: 636, ldap: ldap({}) }]))["LDAPS-N05"]).toBe("pass");
  });

  test("N06: a GC whose 3269 fails -> fail; not a GC -> skip", () => {
    const gcDown = probeSnap([{ port: 636 }, { port: 3269, failure: { kind: "refused", stage: "tcp", message: "connection refused" } }]);
    expect(only(gcDown)["LDAPS-N06"]).toBe("fail");
    const notGc = probeSnap([{ port: 636, ldap: { rootDse: { isGlobalCatalogReady: false } } }, { port: 3269, failure: { kind: "refused", stage: "tcp", message: "connection refused" } }]);
    expect(only(notGc)["LDAPS-N06"]).toBe("skip");
  });

  test("N07: StartTLS refused -> fail; a different certificate on 389 -> fail", () => {
    const refused = statuses(probeSnap([{ port: 636 }, { port: 389, failure: { kind: "starttls-refused", stage: "starttls", message: "the server refused StartTLS: 2 protocolError", code: "ldap-2" } }]));
    expect(refused["LDAPS-N07"]).toMatchObject({ status: "fail", message: expect.stringContaining("starttls-refused") });
    const other = statuses(probeSnap([{ port: 636 }, { port: 389, chain: [c.renewed, c.intermediate] }]));
    expect(other["LDAPS-N07"]).toMatchObject({ status: "fail", message: expect.stringContaining("same certificate as LDAPS: false") });
  });

  test("mergeNetworkEvidence replaces endpoints by port and mode, keeps others, refuses another host", () => {
    const base: Snapshot = { ...dcSnapshot({}), network: { endpoints: [endpoint({ port: 636 }), endpoint({ port: 3269 })] } };
    const merged = mergeNetworkEvidence(base, probeSnap([{ port: 636, protocol: "TLSv1.2" }]));
    expect(merged.network!.endpoints.map((e) => [e.port, e.tls?.protocol])).toEqual([[3269, "TLSv1.3"], [636, "TLSv1.2"]]);
    expect(merged.stores).toBe(base.stores);
    const elsewhere = { ...probeSnap(healthy()), host: { fqdn: "dc2.example.test" } };
    expect(() => mergeNetworkEvidence(base, elsewhere)).toThrow(/dc2\.example\.test/);
  });
});
