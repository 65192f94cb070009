// The REAL collector (ps/Invoke-LdapsAuditCollector.ps1) run by lib/collect through node-powershell under pwsh,
// with Windows-only cmdlets replaced by the shim (test/fixtures/ps/shim.ps1) and real X509Certificate2 objects.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { collectLocal } from "../../lib/collect";
import { parseRegistryBlob } from "../../lib/x509/blob";
import { deriveFacts } from "../../lib/facts";
import { SNAPSHOT_SCHEMA_ID, validatorFor } from "../../lib/schemas";
import type { Snapshot } from "../../lib/snapshot";
import { requirePeer } from "../helpers/peers";
import { dcFixture, FIXTURE_SCHANNEL, ntdsBlob } from "./fixture";
import { findPwsh, hasOpenssl, makePki, shimPath, TestPki, writeFixture } from "./helpers";

const pwsh = findPwsh();
const ready = requirePeer("pwsh", pwsh !== null, "install with: dotnet tool install --tool-path .tools/pwsh PowerShell --version 7.6.9 (or run .ci/run)") &&
  requirePeer("openssl", hasOpenssl(), "apt-get install openssl");

(ready ? describe : describe.skip)("collector under pwsh with the Windows shim", () => {
  let pki: TestPki;
  let snapshot: Snapshot;
  const now = new Date();

  beforeAll(async () => {
    pki = makePki();
    const fixture = writeFixture(pki.dir, dcFixture(pki, now));
    snapshot = await collectLocal({
      executable: pwsh!,
      shimScripts: [shimPath],
      lookbackDays: 7,
      env: { LDAPS_AUDIT_TEST_FIXTURE: fixture, ProgramData: "C:\\ProgramData" },
      timeoutMs: 120000,
    });
  });

  test("the snapshot validates against the snapshot schema", () => {
    const v = validatorFor(SNAPSHOT_SCHEMA_ID);
    expect(v(snapshot)).toBe(true);
    expect(snapshot.collector?.name).toBe("ldaps-audit-ps");
    expect(snapshot.collector?.psEdition).toBe("Core");
  });

  test("host identity", () => {
    expect(snapshot.host).toMatchObject({
      fqdn: "dc1.example.test", domain: "example.test", forest: "example.test", domainRole: 5,
      isDomainController: true, isGlobalCatalog: true, certSvcInstalled: false, osVersion: "10.0.20348",
    });
    expect(snapshot.host.adldsInstances).toEqual([
      { name: "Inst1", serviceName: "ADAM_Inst1", serviceAccount: "NT AUTHORITY\\NetworkService", serviceAccountSid: "S-1-5-20", ldapPort: 50389, sslPort: 50636, state: "Running" },
    ]);
  });

  test("NTDS\\My comes from the registry Blob, which parses with lib/x509/blob and carries the CSP key facts", () => {
    const ntds = snapshot.stores!.find((s) => s.name === "NTDS\\My")!;
    expect(ntds.error).toBeUndefined();
    expect(ntds.certificates).toHaveLength(1);
    const c = ntds.certificates[0];
    expect(c.der).toBeUndefined();
    expect(c.thumbprint).toBe(pki.leafThumbprint);
    const bytes = Buffer.from(c.registryBlob!, "base64");
    expect(bytes.equals(ntdsBlob(pki))).toBe(true);
    const parsed = parseRegistryBlob(bytes);
    expect(parsed.certificate!.equals(pki.leafDer)).toBe(true);
    expect(parsed.keyProvInfo).toMatchObject({ containerName: "ldaps-csp-container", providerType: 12, providerKind: "csp" });
    // The PowerShell side parsed the same KEY_PROV_INFO to find the key (the shim answers by container name).
    expect(c.privateKey).toMatchObject({
      present: true, providerKind: "csp", providerType: 12, uniqueName: "c0ffee_machineguid",
      keyFilePath: "C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys\\c0ffee_machineguid",
    });
    expect(c.privateKey!.acl).toEqual([
      { identity: "S-1-5-18", sid: "S-1-5-18", rights: "FullControl", type: "Allow", inherited: false },
      { identity: "Everyone", sid: "S-1-1-0", rights: 2147483648, type: "Deny", inherited: false },
    ]);
    expect(c.chain).toMatchObject({ built: false, policy: "1.3.6.1.5.5.7.3.1", revocationMode: "NoCheck" });
  });

  test("LocalMachine\\My certificates: DER, key provider, key file ACL, chain", () => {
    const my = snapshot.stores!.find((s) => s.name === "LocalMachine\\My")!;
    expect(my.certificates.map((c) => c.thumbprint).sort()).toEqual([pki.leafThumbprint, pki.oldThumbprint].sort());
    const leaf = my.certificates.find((c) => c.thumbprint === pki.leafThumbprint)!;
    expect(Buffer.from(leaf.der!, "base64").equals(pki.leafDer)).toBe(true);
    expect(leaf.privateKey).toMatchObject({
      present: true, providerKind: "ksp", providerType: 0, providerName: "Microsoft Software Key Storage Provider",
      keyFilePath: "C:\\ProgramData\\Microsoft\\Crypto\\Keys\\8f1e2d3c4b5a_machineguid", strongProtection: false,
    });
    expect(leaf.privateKey!.acl).toEqual([
      { identity: "NT AUTHORITY\\SYSTEM", sid: "S-1-5-18", rights: "FullControl", type: "Allow", inherited: false },
      { identity: "BUILTIN\\Administrators", sid: "S-1-5-32-544", rights: "FullControl", type: "Allow", inherited: true },
    ]);
    expect(leaf.chain!.elements![0].thumbprint).toBe(pki.leafThumbprint);
    expect(leaf.chain!.status!.length).toBeGreaterThan(0); // the test CA is not trusted by this machine
    const old = my.certificates.find((c) => c.thumbprint === pki.oldThumbprint)!;
    // The shim knows no key for it: the failure is recorded on the key evidence, the certificate is still reported.
    expect(old.privateKey).toMatchObject({ present: true, error: expect.stringContaining("Keyset does not exist") });
  });

  test("a denied store is recorded as a structured error while everything else completes", () => {
    const adam = snapshot.stores!.find((s) => s.name === "ADAM_Inst1\\My")!;
    expect(adam.certificates).toEqual([]);
    expect(adam.error).toMatchObject({ part: "stores/ADAM_Inst1\\My", code: "AccessDenied", exceptionType: "System.UnauthorizedAccessException" });
    expect(snapshot.errors).toContainEqual(expect.objectContaining({ part: "events/ADAM (Inst1)", code: "LogNotFound" }));
  });

  test("registry policy per NTDS and AD LDS instance, Schannel logging", () => {
    expect(snapshot.registry).toEqual({
      ntds: { LDAPServerIntegrity: 1, LDAPServerEnforceIntegrity: null, LdapEnforceChannelBinding: 1, ldapInterfaceEventsLevel: 2 },
      adlds: { Inst1: { LDAPServerIntegrity: 2, LDAPServerEnforceIntegrity: null, LdapEnforceChannelBinding: null, ldapInterfaceEventsLevel: null } },
      schannel: FIXTURE_SCHANNEL,
    });
  });

  test("the Schannel registry feeds the TLS surface facts: TLS 1.0 off, TLS 1.2 on, RC4/3DES off", () => {
    const [facts] = deriveFacts(snapshot, { now });
    const reg = facts.tlsSurface!.registry!;
    expect(reg.windowsBuild).toBe(20348);
    expect(reg.protocols["TLS 1.0"]).toMatchObject({ enabled: false, source: "registry" });
    expect(reg.protocols["TLS 1.2"]).toMatchObject({ enabled: true, source: "registry" });
    expect(reg.protocols["TLS 1.1"]).toMatchObject({ enabled: true, source: "default" });
    expect(reg.disabledCiphers).toEqual(["RC4 128/128", "Triple DES 168"]);
    expect(facts.tlsSurface!.tls12).toMatchObject({ known: true, enabled: true, registryEnabled: true, wireAccepted: null });
  });

  test("a denied Schannel Ciphers key is a structured error of its own; EventLogging, the protocols and the policies are still read", async () => {
    const base = dcFixture(pki, now);
    const fixture = writeFixture(pki.dir, { ...base, registryDenied: [...(base.registryDenied as string[]), "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Ciphers"] });
    const denied = await collectLocal({ executable: pwsh!, shimScripts: [shimPath], env: { LDAPS_AUDIT_TEST_FIXTURE: fixture, ProgramData: "C:\\ProgramData" }, timeoutMs: 120000 });
    expect(denied.errors).toContainEqual(expect.objectContaining({ part: "registry/schannel/ciphers", exceptionType: "System.UnauthorizedAccessException" }));
    expect(denied.registry?.schannel?.EventLogging).toBe(1);
    expect(denied.registry?.schannel?.ciphers).toBeUndefined();
    expect(denied.registry?.schannel?.protocols?.["TLS 1.0"]).toEqual({ Enabled: 0, DisabledByDefault: 1 });
    expect(denied.registry?.schannel?.cipherSuitePolicy).toHaveLength(3);
    expect(denied.registry?.ntds?.LdapEnforceChannelBinding).toBe(1);
  });

  test("events are aggregated in PowerShell: 1220 count and code, 2887 sums, 2889 clients, Schannel 36870", () => {
    const ev = snapshot.events!;
    expect(ev.truncated).toBe(false);
    expect(ev.logs).toEqual([
      { log: "Directory Service", service: "NTDS", available: true, error: null },
      expect.objectContaining({ log: "ADAM (Inst1)", service: "ADAM_Inst1", available: false }),
      { log: "System", service: null, available: true, error: null },
    ]);
    const byId = (id: number) => ev.summary!.find((s) => s.id === id)!;
    expect(byId(1220)).toMatchObject({ log: "Directory Service", service: "NTDS", count: 2, errorCodes: { "0x8009030e": 2 }, provider: "Microsoft-Windows-ActiveDirectory_DomainService" });
    expect(Date.parse(byId(1220).last!)).toBeGreaterThan(Date.parse(byId(1220).first!));
    expect(byId(2887)).toMatchObject({ count: 2, insecureSimpleBinds: 7, unsignedSaslBinds: 3 });
    expect(byId(36870)).toMatchObject({ log: "System", service: null, provider: "Schannel", count: 1, errorCodes: { "0x8009030d": 1 } });
    expect(ev.insecureBindClients).toEqual([
      expect.objectContaining({ service: "NTDS", ip: "10.0.0.5", port: 51999, identity: "EXAMPLE\\svc-app", bindType: "simple", bindTypeCode: 1, count: 2 }),
      expect.objectContaining({ service: "NTDS", ip: "fe80::1", port: 50000, identity: "EXAMPLE\\legacy", bindType: "unsigned-sasl", bindTypeCode: 0, count: 1 }),
    ]);
  });

  test("the max-events cap sets truncated", async () => {
    const fixture = writeFixture(pki.dir, dcFixture(pki, now));
    const capped = await collectLocal({
      executable: pwsh!, shimScripts: [shimPath], maxEvents: 2,
      env: { LDAPS_AUDIT_TEST_FIXTURE: fixture, ProgramData: "C:\\ProgramData" }, timeoutMs: 120000,
    });
    expect(capped.events!.truncated).toBe(true);
    expect(capped.events!.maxEvents).toBe(2);
    expect(capped.events!.summary!.filter((s) => s.log === "Directory Service").reduce((n, s) => n + s.count, 0)).toBe(2);
  });
});

(ready ? describe : describe.skip)("event error codes under pwsh", () => {
  // Every numeric .NET type Get-WinEvent can hand the collector, and the texts classic events carry: one code format.
  const cases: Array<[string, string]> = [
    ["[int]-2146893043", "0x8009030d"], // 36870 ErrorCode (win:HexInt32) on a real DC
    ["[uint32]2148074253", "0x8009030d"],
    ["[long]-2146893043", "0x8009030d"],
    ["[long]2148074253", "0x8009030d"],
    ["[int]1", "0x00000001"],
    ["[int]0", "0x00000000"],
    ["[int]-1", "0xffffffff"],
    ["'0x8009030D'", "0x8009030d"],
    ["'8009030e No credentials are available in the security package'", "0x8009030e"],
    ["'  not a code '", "not a code"],
  ];
  let results: string[] = [];

  beforeAll(() => {
    const fns = join(__dirname, "..", "..", "ps", "functions");
    // One pwsh for the whole table: one result line per case.
    const script = `. '${join(fns, "Common.ps1")}'; . '${join(fns, "Events.ps1")}'; ${cases.map(([expr]) => `[string](ConvertTo-LdapsAuditHexCode (${expr}))`).join("; ")}`;
    results = execFileSync(pwsh!, ["-NoProfile", "-NonInteractive", "-Command", script], { encoding: "utf8", timeout: 60000 }).trim().split(/\r?\n/);
  });

  test.each(cases.map((c, i) => [...c, i] as const))("ConvertTo-LdapsAuditHexCode %s -> %s", (_expr, expected, i) => {
    expect(results[i]).toBe(expected);
  });
});
