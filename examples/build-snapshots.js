#!/usr/bin/env node
// Shapes the openssl-made certificates in certs/ into example snapshots, the way the Windows collector
// reports them: DER as base64, X509Certificate2-style private-key facts, Windows' chain result, and for
// service stores the raw registry Blob (property records: id | reserved=1 | length | value).
// These are SYNTHETIC fixtures (no real DC export exists publicly); collector.synthetic says so.
"use strict";
const { X509Certificate, createHash } = require("node:crypto");
const { readFileSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");

const certDir = join(__dirname, "certs");
const pem = (name) => readFileSync(join(certDir, `${name}.pem`), "utf8");
const der = (name) => Buffer.from(pem(name).replace(/-----[^-]+-----|\s/g, ""), "base64");
const x509 = (name) => new X509Certificate(pem(name));
const thumb = (name) => createHash("sha1").update(der(name)).digest("hex").toUpperCase();
const iso = (d) => new Date(d).toISOString();
const winSubject = (name) => x509(name).subject.split("\n").reverse().join(", ");

const collectedAt = "2026-11-20T08:00:00.000Z";
const collector = { name: "ldaps-audit-ps", version: "0.1.0", psVersion: "5.1.20348.2849", psEdition: "Desktop", synthetic: true,
  note: "example built by examples/build-snapshots.js from openssl-made certificates, shaped like the collector's output" };

function chain(name) {
  return {
    built: true,
    policy: "1.3.6.1.5.5.7.3.1",
    revocationMode: "NoCheck",
    status: [],
    // As the collector records them: each element with its DER, so its signature can be judged (LDAPS-C13).
    elements: [name, "issuing", "root"].map((n) => ({ thumbprint: thumb(n), subject: winSubject(n), notAfter: iso(x509(n).validTo), der: der(n).toString("base64") })),
  };
}

function ksp(uniqueName, acl) {
  return {
    present: true,
    providerName: "Microsoft Software Key Storage Provider",
    providerType: 0,
    providerKind: "ksp",
    containerName: `te-LDAPS-${uniqueName.slice(0, 8)}`,
    uniqueName,
    keySpec: 0,
    keyFilePath: `C:\\ProgramData\\Microsoft\\Crypto\\Keys\\${uniqueName}`,
    acl,
    strongProtection: false,
    exportable: false,
  };
}

const SYSTEM_FULL = { identity: "NT AUTHORITY\\SYSTEM", sid: "S-1-5-18", rights: "FullControl", type: "Allow", inherited: false };
const ADMINS_FULL = { identity: "BUILTIN\\Administrators", sid: "S-1-5-32-544", rights: "FullControl", type: "Allow", inherited: false };
const defaultAcl = [SYSTEM_FULL, ADMINS_FULL];

function storeCert(name, key, extra = {}) {
  return { der: der(name).toString("base64"), thumbprint: thumb(name), friendlyName: null, privateKey: key, chain: chain(name), ...extra };
}

const dcHost = {
  fqdn: "dc1.corp.example.test", computerName: "DC1", domain: "corp.example.test", forest: "corp.example.test",
  domainRole: 5, isDomainController: true, isGlobalCatalog: true, osVersion: "10.0.20348", osCaption: "Microsoft Windows Server 2022 Datacenter",
  certSvcInstalled: false, adldsInstances: [],
};
const policy = { ntds: { LDAPServerIntegrity: 2, LDAPServerEnforceIntegrity: null, LdapEnforceChannelBinding: 1, ldapInterfaceEventsLevel: 0 } };

function snapshot(stores, extra = {}) {
  return { $schema: "https://ldaps-audit.dev/schemas/snapshot.schema.json", schemaVersion: 1, collectedAt, collector, host: dcHost, stores, registry: policy, ...extra };
}

function events1220(count) {
  return {
    windowStart: "2026-11-13T08:00:00.000Z", windowEnd: collectedAt, maxEvents: 5000, truncated: false,
    logs: [{ log: "Directory Service", service: "NTDS", available: true, error: null }, { log: "System", service: null, available: true, error: null }],
    summary: [
      { log: "Directory Service", service: "NTDS", provider: "Microsoft-Windows-ActiveDirectory_DomainService", id: 1220, count, first: "2026-11-13T09:12:44.000Z", last: "2026-11-20T07:41:02.000Z", errorCodes: { "8009030e": count } },
      { log: "System", service: null, provider: "Schannel", id: 36886, count, first: "2026-11-13T09:12:44.000Z", last: "2026-11-20T07:41:02.000Z" },
    ],
    insecureBindClients: [],
  };
}

// A week of logs read with nothing to report (what a healthy DC's collection looks like).
function quietEvents(log = "Directory Service", service = "NTDS") {
  return {
    windowStart: "2026-11-13T08:00:00.000Z", windowEnd: collectedAt, maxEvents: 5000, truncated: false,
    logs: [{ log, service, available: true, error: null }, { log: "System", service: null, available: true, error: null }],
    summary: [],
    insecureBindClients: [],
  };
}

// The AD LDS store comes from the registry, so it carries the raw Blob, as the collector emits it.
function registryBlob(name, provider) {
  const record = (id, value) => {
    const head = Buffer.alloc(12);
    head.writeUInt32LE(id, 0);
    head.writeUInt32LE(1, 4);
    head.writeUInt32LE(value.length, 8);
    return Buffer.concat([head, value]);
  };
  const container = Buffer.from(`${provider.container}\0`, "utf16le");
  const prov = Buffer.from(`${provider.name}\0`, "utf16le");
  const kpi = Buffer.alloc(28);
  kpi.writeUInt32LE(28, 0);
  kpi.writeUInt32LE(28 + container.length, 4);
  kpi.writeUInt32LE(provider.type, 8);
  kpi.writeUInt32LE(0x20, 12); // CRYPT_MACHINE_KEYSET
  kpi.writeUInt32LE(provider.keySpec, 24);
  const sha1 = createHash("sha1").update(der(name)).digest();
  // Key provider info first, certificate last: the order Windows happens to write; parsers must not rely on it.
  return Buffer.concat([record(2, Buffer.concat([kpi, container, prov])), record(3, sha1), record(32, der(name))]).toString("base64");
}

const examples = {
  "healthy-dc": snapshot([
    { name: "NTDS\\My", certificates: [] },
    { name: "LocalMachine\\My", certificates: [storeCert("dc1", ksp("6f1c1a6e0b7d4b21a1f6a3b1c0d2e9f4_a1b2c3d4-0000-0000-0000-000000000001", defaultAcl))] },
  ], { events: quietEvents() }),
  "event-1220-no-certificate": snapshot(
    [{ name: "NTDS\\My", certificates: [] }, { name: "LocalMachine\\My", certificates: [] }],
    { events: events1220(14) },
  ),
  "wrong-name": snapshot([
    { name: "NTDS\\My", certificates: [] },
    { name: "LocalMachine\\My", certificates: [storeCert("web", ksp("0a9e2f51c3d84b6f9e7a1b2c3d4e5f60_a1b2c3d4-0000-0000-0000-000000000002", defaultAcl))] },
  ], { events: events1220(3) }),
  "no-server-auth-eku": snapshot([
    { name: "NTDS\\My", certificates: [] },
    { name: "LocalMachine\\My", certificates: [storeCert("client-only", ksp("1b8d3e62d4e95c7fa08b2c3d4e5f6071_a1b2c3d4-0000-0000-0000-000000000003", defaultAcl))] },
  ], { events: events1220(5) }),
  "key-not-readable": snapshot([
    { name: "NTDS\\My", certificates: [] },
    {
      name: "LocalMachine\\My",
      certificates: [storeCert("dc1", ksp("2c9e4f73e5fa6d80b19c3d4e5f607182_a1b2c3d4-0000-0000-0000-000000000004", [
        { identity: "CORP\\jdoe", sid: "S-1-5-21-1004336348-1177238915-682003330-1105", rights: "FullControl", type: "Allow", inherited: false },
      ]))],
    },
  ], {
    events: {
      ...events1220(9),
      summary: [
        ...events1220(9).summary,
        { log: "System", service: null, provider: "Schannel", id: 36870, count: 9, first: "2026-11-13T09:12:44.000Z", last: "2026-11-20T07:41:02.000Z", errorCodes: { "0x8009030D": 9 } },
      ],
    },
  }),
  "expired": snapshot([
    { name: "NTDS\\My", certificates: [] },
    { name: "LocalMachine\\My", certificates: [storeCert("expired", ksp("3da05084f60b7e91c2ad4e5f60718293_a1b2c3d4-0000-0000-0000-000000000005", defaultAcl), {
      chain: { ...chain("expired"), built: false, status: [{ status: "NotTimeValid", information: "A required certificate is not within its validity period when verifying against the current system clock or the timestamp in the signed file." }] },
    })] },
  ], { events: events1220(2) }),
  "two-qualifying": snapshot([
    { name: "NTDS\\My", certificates: [] },
    { name: "LocalMachine\\My", certificates: [
      storeCert("dc1", ksp("4eb16195071c8fa2d3be5f6071829304_a1b2c3d4-0000-0000-0000-000000000006", defaultAcl)),
      storeCert("dc1-renewed", ksp("5fc272a6182d90b3e4cf607182930415_a1b2c3d4-0000-0000-0000-000000000007", defaultAcl)),
    ] },
  ], { events: quietEvents() }),
  // Event 1220 and who causes it: the firewall log, the connection table and 2889 name the clients.
  "clients-1220": snapshot(
    [{ name: "NTDS\\My", certificates: [] }, { name: "LocalMachine\\My", certificates: [] }],
    {
      events: {
        ...events1220(14),
        summary: [
          ...events1220(14).summary,
          { log: "Directory Service", service: "NTDS", provider: "Microsoft-Windows-ActiveDirectory_DomainService", id: 2887, count: 7, first: "2026-11-14T08:00:00.000Z", last: "2026-11-20T08:00:00.000Z", insecureSimpleBinds: 212, unsignedSaslBinds: 0 },
        ],
        insecureBindClients: [
          { service: "NTDS", ip: "10.0.4.21", port: 50112, identity: "CORP\\svc-hr-sync", bindType: "simple", bindTypeCode: 1, count: 212, first: "2026-11-13T09:00:12.000Z", last: "2026-11-20T07:58:40.000Z" },
        ],
      },
      registry: { ...policy, schannel: { EventLogging: 1 }, ntds: { ...policy.ntds, ldapInterfaceEventsLevel: 2 } },
      clients: {
        ports: [636, 3269],
        windowStart: "2026-11-13T08:00:00.000Z",
        windowEnd: collectedAt,
        connections: {
          available: true, error: null, total: 2, truncated: false,
          entries: [{ remoteAddress: "10.0.4.21", localPort: 636, state: "SynReceived", count: 2, owningProcesses: [812] }],
        },
        firewallLog: {
          enabled: true, logAllowed: true, logBlocked: true, path: "C:\\Windows\\system32\\LogFiles\\Firewall\\pfirewall.log",
          available: true, error: null, truncated: false, sourcesTotal: 2,
          sources: [
            { ip: "10.0.4.21", count: 1840, allow: 1840, drop: 0, ports: { "636": 1840 }, first: "2026-11-13T09:00:03.000Z", last: "2026-11-20T07:59:58.000Z" },
            { ip: "10.0.9.77", count: 96, allow: 96, drop: 0, ports: { "3269": 96 }, first: "2026-11-14T02:00:00.000Z", last: "2026-11-20T02:00:01.000Z" },
          ],
        },
        names: [
          { ip: "10.0.4.21", name: "hrsync01.corp.example.test", error: null },
          { ip: "10.0.9.77", name: null, error: "No such host is known" },
        ],
      },
    },
  ),
  // "What breaks if I enforce?": a healthy certificate, signing and channel binding not enforced yet, the audit
  // evidence on (diagnostics level 2, channel binding "When supported" on Server 2022): 2889 names two clients that
  // bind without signing or TLS, 3039/3074/3075 name three LDAPS clients without valid channel-binding tokens.
  "enforcement-readiness": snapshot([
    { name: "NTDS\\My", certificates: [] },
    { name: "LocalMachine\\My", certificates: [storeCert("dc1", ksp("6f1c1a6e0b7d4b21a1f6a3b1c0d2e9f4_a1b2c3d4-0000-0000-0000-000000000001", defaultAcl))] },
  ], {
    registry: { ntds: { LDAPServerIntegrity: 1, LDAPServerEnforceIntegrity: null, LdapEnforceChannelBinding: 1, ldapInterfaceEventsLevel: 2 }, schannel: { EventLogging: 1 } },
    events: {
      ...quietEvents(),
      summary: [
        { log: "Directory Service", service: "NTDS", provider: "Microsoft-Windows-ActiveDirectory_DomainService", id: 2887, count: 7, first: "2026-11-14T08:00:00.000Z", last: "2026-11-20T08:00:00.000Z", insecureSimpleBinds: 212, unsignedSaslBinds: 35 },
        { log: "Directory Service", service: "NTDS", provider: "Microsoft-Windows-ActiveDirectory_DomainService", id: 3039, count: 4, first: "2026-11-15T10:00:00.000Z", last: "2026-11-19T10:00:00.000Z" },
        { log: "Directory Service", service: "NTDS", provider: "Microsoft-Windows-ActiveDirectory_DomainService", id: 3074, count: 20, first: "2026-11-13T11:00:00.000Z", last: "2026-11-20T06:00:00.000Z" },
        { log: "Directory Service", service: "NTDS", provider: "Microsoft-Windows-ActiveDirectory_DomainService", id: 3075, count: 96, first: "2026-11-13T09:30:00.000Z", last: "2026-11-20T07:30:00.000Z" },
      ],
      insecureBindClients: [
        { service: "NTDS", ip: "10.0.4.21", port: 50112, identity: "CORP\\svc-hr-sync", bindType: "simple", bindTypeCode: 1, count: 212, first: "2026-11-13T09:00:12.000Z", last: "2026-11-20T07:58:40.000Z" },
        { service: "NTDS", ip: "10.0.7.40", port: 61022, identity: "CORP\\PRN-FLOOR2$", bindType: "unsigned-sasl", bindTypeCode: 0, count: 35, first: "2026-11-13T12:00:00.000Z", last: "2026-11-19T12:00:00.000Z" },
      ],
      channelBindingClients: [
        { service: "NTDS", eventId: 3075, ip: "10.0.9.77", port: 52001, identity: "CORP\\svc-wiki", count: 96, first: "2026-11-13T09:30:00.000Z", last: "2026-11-20T07:30:00.000Z" },
        { service: "NTDS", eventId: 3074, ip: "10.0.5.12", port: 49800, identity: "CORP\\svc-vpn", count: 20, first: "2026-11-13T11:00:00.000Z", last: "2026-11-20T06:00:00.000Z" },
        { service: "NTDS", eventId: 3039, ip: "10.0.5.13", port: 49912, identity: "CORP\\svc-java-app", count: 4, first: "2026-11-15T10:00:00.000Z", last: "2026-11-19T10:00:00.000Z" },
      ],
      clientCap: 1000,
      clientsDropped: [],
    },
  }),
  "adlds-instance": {
    $schema: "https://ldaps-audit.dev/schemas/snapshot.schema.json", schemaVersion: 1, collectedAt, collector,
    host: {
      fqdn: "lds1.corp.example.test", computerName: "LDS1", domain: "corp.example.test", domainRole: 3, isDomainController: false,
      isGlobalCatalog: false, osVersion: "10.0.20348", osCaption: "Microsoft Windows Server 2022 Standard", certSvcInstalled: false,
      adldsInstances: [{ name: "AppDir", serviceName: "ADAM_AppDir", serviceAccount: "NT AUTHORITY\\NetworkService", serviceAccountSid: "S-1-5-20", ldapPort: 50389, sslPort: 50636, state: "Running" }],
    },
    stores: [
      { name: "ADAM_AppDir\\My", certificates: [{
        registryBlob: registryBlob("lds1", { container: "te-LDS-7a1c", name: "Microsoft RSA SChannel Cryptographic Provider", type: 12, keySpec: 1 }),
        privateKey: {
          present: true, providerName: "Microsoft RSA SChannel Cryptographic Provider", providerType: 12, providerKind: "csp", containerName: "te-LDS-7a1c",
          uniqueName: "f686cc2a1b6f7f1ba4c1c8d9e0f1a2b3_a1b2c3d4-0000-0000-0000-000000000008", keySpec: 1,
          keyFilePath: "C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys\\f686cc2a1b6f7f1ba4c1c8d9e0f1a2b3_a1b2c3d4-0000-0000-0000-000000000008",
          acl: [SYSTEM_FULL, ADMINS_FULL, { identity: "NT AUTHORITY\\NETWORK SERVICE", sid: "S-1-5-20", rights: "Read", type: "Allow", inherited: false }],
          strongProtection: false, exportable: false,
        },
        chain: chain("lds1"),
      }] },
      { name: "LocalMachine\\My", certificates: [] },
    ],
    events: quietEvents("ADAM (AppDir)", "ADAM_AppDir"),
    registry: { adlds: { AppDir: { LDAPServerIntegrity: 2, LDAPServerEnforceIntegrity: null, LdapEnforceChannelBinding: 1, ldapInterfaceEventsLevel: 2 } } },
  },
};

for (const [name, snap] of Object.entries(examples)) {
  writeFileSync(join(__dirname, `${name}.snapshot.json`), JSON.stringify(snap, null, 2) + "\n");
}
