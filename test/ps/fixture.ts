// A domain controller (with one AD LDS instance) as the shim sees it. Times are relative to `now`.
import { serializeKeyProvInfo, serializeRegistryBlob } from "../../lib/x509/blob";
import type { TestPki } from "./helpers";

const SCHANNEL = "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL";
export const NTDS_CERTS = "HKLM:\\SOFTWARE\\Microsoft\\Cryptography\\Services\\NTDS\\SystemCertificates\\My\\Certificates";

export function ntdsBlob(pki: TestPki): Buffer {
  return serializeRegistryBlob([
    { id: 11, value: Buffer.from("LDAPS 2025\0", "utf16le") },
    { id: 2, value: serializeKeyProvInfo({ containerName: "ldaps-csp-container", providerName: "Microsoft RSA SChannel Cryptographic Provider", providerType: 12, keySpec: 1 }) },
    { id: 32, value: pki.leafDer },
  ]);
}

/**
 * A typed EventData value for the shim's Get-WinEvent (classic events carry strings; manifest events carry the
 * .NET type Get-WinEvent gives each field: see ../shared/reference/real-windows/SOURCES.md). Schannel's manifest:
 * 36870 Type string, ErrorCode win:HexInt32 (-> Int32), ErrorStatus UInt32; 36888 AlertDesc and ErrorState UInt32.
 */
/**
 * registry.schannel as the collector reports dcFixture's Schannel values: the Protocols Server subkey's values only
 * (TLS 1.0\Client is not read; absent values are null), cipher keys read through the RegistryKey objects (so
 * "RC4 128/128" is one key, not RC4 128 \ 128), and the suite-order policy split on commas.
 */
export const FIXTURE_SCHANNEL = {
  EventLogging: 1,
  protocols: { "TLS 1.0": { Enabled: 0, DisabledByDefault: 1 }, "TLS 1.2": { Enabled: -1, DisabledByDefault: null } },
  ciphers: { "RC4 128/128": { Enabled: 0 }, "Triple DES 168": { Enabled: 0 }, "AES 128/128": { Enabled: null } },
  hashes: {},
  keyExchangeAlgorithms: { PKCS: { Enabled: 1 } },
  cipherSuitePolicy: ["TLS_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA"],
};

export const int32 = (value: number) => ({ type: "Int32", value });
export const uint32 = (value: number) => ({ type: "UInt32", value });

export function dcFixture(pki: TestPki, now: Date, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const ago = (days: number, hours = 0) => new Date(now.getTime() - days * 86400000 - hours * 3600000).toISOString();
  const ds = "Directory Service";
  const dsProvider = "Microsoft-Windows-ActiveDirectory_DomainService";
  return {
    host: { fqdn: "dc1.example.test", domain: "example.test", domainRole: 5 },
    rootDse: { isGlobalCatalogReady: true, rootDomainNamingContext: "DC=example,DC=test", dnsHostName: "dc1.example.test" },
    services: [
      { name: "NTDS", state: "Running", startName: "LocalSystem" },
      { name: "ADAM_Inst1", state: "Running", startName: "NT AUTHORITY\\NetworkService" },
    ],
    registry: {
      "HKLM:\\SYSTEM\\CurrentControlSet\\Services\\NTDS\\Parameters": { LDAPServerIntegrity: 1, LdapEnforceChannelBinding: 1 },
      "HKLM:\\SYSTEM\\CurrentControlSet\\Services\\NTDS\\Diagnostics": { "16 LDAP Interface Events": 2 },
      "HKLM:\\SYSTEM\\CurrentControlSet\\Services\\ADAM_Inst1\\Parameters": { "Port LDAP": 50389, "Port SSL": 50636, LDAPServerIntegrity: 2 },
      "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL": { EventLogging: 1 },
      // The TLS surface as a hardening script leaves it: TLS 1.0 off, TLS 1.2 on, RC4 and 3DES off (a cipher key
      // name with '/' in it), PKCS key exchange on, and a cipher-suite order policy (REG_SZ, comma-separated).
      [`${SCHANNEL}\\Protocols\\TLS 1.0\\Server`]: { Enabled: 0, DisabledByDefault: 1 },
      [`${SCHANNEL}\\Protocols\\TLS 1.0\\Client`]: { Enabled: 0 },
      [`${SCHANNEL}\\Protocols\\TLS 1.2\\Server`]: { Enabled: -1 },
      [`${SCHANNEL}\\Ciphers\\RC4 128/128`]: { Enabled: 0 },
      [`${SCHANNEL}\\Ciphers\\Triple DES 168`]: { Enabled: 0 },
      [`${SCHANNEL}\\Ciphers\\AES 128/128`]: {},
      [`${SCHANNEL}\\KeyExchangeAlgorithms\\PKCS`]: { Enabled: 1 },
      ["HKLM:\\SOFTWARE\\Policies\\Microsoft\\Cryptography\\Configuration\\SSL\\00010002"]: { Functions: "TLS_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_AES_128_CBC_SHA" },
      [`${NTDS_CERTS}\\${pki.leafThumbprint}`]: { Blob: { base64: ntdsBlob(pki).toString("base64") } },
    },
    registryDenied: ["HKLM:\\SOFTWARE\\Microsoft\\Cryptography\\Services\\ADAM_Inst1"],
    machineStore: [
      { pfx: pki.leafPfx, password: pki.password },
      { pfx: pki.oldPfx, password: pki.password },
    ],
    keys: {
      [pki.leafThumbprint]: {
        providerName: "Microsoft Software Key Storage Provider", providerType: 0, providerKind: "ksp",
        containerName: "te-LDAPS-1234", uniqueName: "8f1e2d3c4b5a_machineguid", keySpec: null, strongProtection: false, exportable: false,
      },
      "container:ldaps-csp-container": {
        providerName: "Microsoft RSA SChannel Cryptographic Provider", providerType: 12, providerKind: "csp",
        containerName: "ldaps-csp-container", uniqueName: "c0ffee_machineguid", keySpec: 1, strongProtection: false, exportable: false,
      },
    },
    acls: {
      "8f1e2d3c4b5a_machineguid": [
        { identity: "NT AUTHORITY\\SYSTEM", rights: "FullControl", type: "Allow", inherited: false },
        { identity: "BUILTIN\\Administrators", rights: "FullControl", type: "Allow", inherited: true },
      ],
      c0ffee_machineguid: [
        { identity: "S-1-5-18", rights: "FullControl", type: "Allow", inherited: false },
        { identity: "Everyone", rights: "-2147483648", type: "Deny", inherited: false },
      ],
    },
    missingLogs: ["ADAM (Inst1)"],
    events: [
      { log: ds, id: 1220, provider: dsProvider, time: ago(3), properties: ["8009030e No credentials are available in the security package"] },
      { log: ds, id: 1220, provider: dsProvider, time: ago(2), properties: ["8009030e No credentials are available in the security package"] },
      { log: ds, id: 2887, provider: dsProvider, time: ago(2), properties: ["5", "3"] },
      { log: ds, id: 2887, provider: dsProvider, time: ago(1), properties: ["2", "0"] },
      { log: ds, id: 2889, provider: dsProvider, time: ago(1, 5), properties: ["10.0.0.5:51000", "EXAMPLE\\svc-app", "1"] },
      { log: ds, id: 2889, provider: dsProvider, time: ago(1, 2), properties: ["10.0.0.5:51999", "EXAMPLE\\svc-app", "1"] },
      { log: ds, id: 2889, provider: dsProvider, time: ago(1), properties: ["[fe80::1]:50000", "EXAMPLE\\legacy", "0"] },
      { log: ds, id: 1220, provider: dsProvider, time: ago(40), properties: ["8009030e outside the window"] },
      // 36870 as a real DC's Get-WinEvent gives it: ErrorCode 0x8009030D (win:HexInt32) as a signed Int32.
      { log: "System", id: 36870, provider: "Schannel", time: ago(2), properties: ["server", int32(-2146893043), uint32(10001)] },
      { log: "System", id: 36870, provider: "Other", time: ago(2), properties: ["not schannel", int32(1), uint32(1)] },
    ],
    unreachableHosts: ["dc9.example.test"],
    ...overrides,
  };
}
