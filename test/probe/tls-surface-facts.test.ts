// lib/facts/tlsSurface.ts on its own: the Windows defaults per build, the registry reading, the weakness
// flags and what "could not be ruled out" means; and a fast-check property that no evidence shape within the
// snapshot schema makes it throw or call something refused that was never asked.
import fc from "fast-check";
import { CIPHER_SUITES } from "../../lib/cipher-suites";
import { defaultProtocolEnabled, tlsSurfaceFacts, windowsBuild, wireFacts } from "../../lib/facts/tlsSurface";
import type { Snapshot, VersionCipherEvidence } from "../../lib/snapshot";

const snap = (over: Record<string, unknown>): Snapshot => ({ schemaVersion: 1, host: { fqdn: "dc1.example.test", osVersion: "10.0.20348" }, ...over }) as unknown as Snapshot;
const ve = (accepted: string[], rest: Partial<VersionCipherEvidence> = {}): VersionCipherEvidence => ({ accepted, refused: [], untestable: [], notTested: [], stopped: null, ...rest });
const endpoint = (v12: VersionCipherEvidence) => ({ host: "dc1", port: 636, mode: "ldaps", versions: { TLSv1: false, "TLSv1.1": false, "TLSv1.2": true, "TLSv1.3": false }, ciphers: { handshakes: 1, maxHandshakes: 64, versions: { "TLSv1.2": v12 } } });

describe("Windows defaults per build (Protocols in TLS/SSL (Schannel SSP))", () => {
  test.each([
    ["TLS 1.3", 17763, false], ["TLS 1.3", 20348, true], ["TLS 1.3", 26100, true],
    ["SSL 3.0", 9600, true], ["SSL 3.0", 14393, false],
    ["TLS 1.0", 20348, true], ["TLS 1.0", 26100, null], ["TLS 1.1", 26100, null],
    ["TLS 1.2", 9600, true], ["TLS 1.2", 7601, null], ["SSL 2.0", 9600, false],
    ["TLS 1.2", null, null],
  ] as const)("%s on build %s: %s", (p, build, want) => {
    expect(defaultProtocolEnabled(p, build)).toBe(want);
  });
  test("windowsBuild reads Win32_OperatingSystem.Version", () => {
    expect(windowsBuild("10.0.20348")).toBe(20348);
    expect(windowsBuild("6.3.9600")).toBe(9600);
    expect(windowsBuild(null)).toBeNull();
    expect(windowsBuild("Windows")).toBeNull();
  });
});

describe("wire flags", () => {
  test("CBC-only is not claimed while an AEAD suite was never asked (the cap stopped first)", () => {
    const f = wireFacts(snap({ network: { endpoints: [endpoint(ve(["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"], { notTested: ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"], stopped: "cap" }))] } }))!;
    expect(f.weaknesses).not.toContain("cbc-only-tls12");
    expect(f.complete).toBe(false);
  });
  test("CBC-only is claimed once every AEAD suite was refused", () => {
    const aead = CIPHER_SUITES.filter((s) => s.minVersion === "TLSv1.2" && /GCM|CCM|CHACHA/.test(s.name)).map((s) => s.name);
    const f = wireFacts(snap({ network: { endpoints: [endpoint(ve(["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"], { refused: aead }))] } }))!;
    expect(f.weaknesses).toEqual(["cbc-only-tls12"]);
  });
  test("a kind found accepted is not also listed as not ruled out", () => {
    const f = wireFacts(snap({ network: { endpoints: [endpoint(ve(["TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"], { untestable: ["TLS_RSA_WITH_3DES_EDE_CBC_SHA"] }))] } }))!;
    expect(f.weaknesses).toEqual(["no-forward-secrecy"]);
    expect(f.untested.some((u) => u.startsWith("no-forward-secrecy"))).toBe(false);
    expect(f.untested.some((u) => u.startsWith("3des"))).toBe(true);
  });
  test("names outside the catalogue are shown but judge nothing", () => {
    const f = wireFacts(snap({ network: { endpoints: [endpoint(ve(["TLS_MADE_UP", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]))] } }))!;
    expect(f.weaknesses).toEqual([]);
    expect(f.endpoints[0].versions[0].accepted).toContain("TLS_MADE_UP");
  });
});

describe("registry", () => {
  test("no Schannel surface evidence (only EventLogging): no registry facts", () => {
    expect(tlsSurfaceFacts(snap({ registry: { schannel: { EventLogging: 1 } } }))).toBeNull();
  });
  test("Enabled=-1 (0xFFFFFFFF as a signed DWORD) is on; DisabledByDefault=1 wins over it", () => {
    const r = tlsSurfaceFacts(snap({ registry: { schannel: { protocols: { "TLS 1.1": { Enabled: -1 }, "TLS 1.0": { Enabled: -1, DisabledByDefault: 1 } } } } }))!.registry!;
    expect(r.protocols["TLS 1.1"].enabled).toBe(true);
    expect(r.protocols["TLS 1.0"].enabled).toBe(false);
  });
});

describe("fast-check: any evidence within the schema", () => {
  const names = fc.constantFrom(...CIPHER_SUITES.map((s) => s.name), "TLS_UNKNOWN", "");
  const list = fc.array(names, { maxLength: 6 });
  const version = fc.record({ accepted: list, refused: list, untestable: list, notTested: list, stopped: fc.option(fc.string({ maxLength: 20 }), { nil: null }) });
  const sw = fc.dictionary(fc.constantFrom("RC4 128/128", "Triple DES 168", "AES 128/128", "PKCS", "ECDH", "Diffie-Hellman", "SHA", "MD5", "x"), fc.record({ Enabled: fc.option(fc.integer({ min: -2, max: 2 }), { nil: null }) }));
  const tri = fc.constantFrom(true, false, null);
  test("never throws; every contradiction names something the wire showed accepted", () => {
    fc.assert(
      fc.property(
        fc.record({ v10: tri, v12: tri, c10: fc.option(version, { nil: undefined }), c12: fc.option(version, { nil: undefined }) }),
        fc.record({ protocols: fc.dictionary(fc.constantFrom("TLS 1.0", "TLS 1.2", "tls 1.3", "SSL 3.0", "TLS1.2"), fc.record({ Enabled: fc.option(fc.integer({ min: -1, max: 2 }), { nil: null }), DisabledByDefault: fc.option(fc.integer({ min: 0, max: 1 }), { nil: null }) })), ciphers: sw, hashes: sw, keyExchangeAlgorithms: sw, cipherSuitePolicy: fc.option(list, { nil: null }) }),
        fc.option(fc.string({ maxLength: 12 }), { nil: null }),
        (w, schannel, osVersion) => {
          const ciphers: Record<string, unknown> = {};
          if (w.c10) ciphers.TLSv1 = w.c10;
          if (w.c12) ciphers["TLSv1.2"] = w.c12;
          const ep = { host: "h", port: 636, mode: "ldaps", versions: { TLSv1: w.v10, "TLSv1.2": w.v12 }, ...(Object.keys(ciphers).length ? { ciphers: { handshakes: 0, maxHandshakes: 1, versions: ciphers } } : {}) };
          const f = tlsSurfaceFacts(snap({ host: { fqdn: "h", osVersion }, registry: { schannel }, network: { endpoints: [ep] } }))!;
          expect(f).not.toBeNull();
          for (const c of f.contradictions) expect(c.seen).toMatch(/accepted/);
          if (f.tls12.enabled === true) expect(f.tls12.registryEnabled === false || f.tls12.wireAccepted === false).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});
