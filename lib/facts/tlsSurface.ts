// The TLS surface: which protocol versions and cipher suites the server takes on the wire (probe --ciphers,
// lib/probe/ciphers.ts), what the Schannel registry says it should take, and where the two disagree. Pure.
//
// The Windows model (defined here once; policy stays in the profiles):
// - SCHANNEL\Protocols\<version>\Server: Enabled = 0 turns the version off; DisabledByDefault = 1 keeps it
//   off unless the application asks for it by name, which the directory service does not (it takes the
//   system defaults); Enabled nonzero (1 or 0xFFFFFFFF) or DisabledByDefault = 0 turns it on. Absent values:
//   the Windows default for the build. Sources: "Transport Layer Security (TLS) registry settings"
//   (https://learn.microsoft.com/en-us/windows-server/security/tls/tls-registry-settings) and
//   "Protocols in TLS/SSL (Schannel SSP)" (https://learn.microsoft.com/en-us/windows/win32/secauthn/protocols-in-tls-ssl--schannel-ssp-).
// - Defaults by build: SSL 2.0 off on every supported build; SSL 3.0 off from Windows Server 2016 (14393);
//   TLS 1.0/1.1 on through Windows Server 2022, and for 2025 (26100) not settled by the sources we have
//   ("TLS 1.0 and TLS 1.1 deprecation in Windows" announces them off by default in new releases): unknown;
//   TLS 1.2 on from Windows Server 2012 (9200); TLS 1.3 on from Windows Server 2022 (20348), absent before.
// - SCHANNEL\Ciphers\<name>, Hashes\<name>, KeyExchangeAlgorithms\<name>: Enabled = 0 removes every suite
//   built on that algorithm ("TLS registry settings": Ciphers, Hashes, KeyExchangeAlgorithms; "PKCS" is RSA key
//   transport, "Diffie-Hellman" DHE, "ECDH" ECDHE). They govern TLS 1.2 and earlier, not TLS 1.3 suites.
// - The SSL Cipher Suite Order policy (Policies\...\SSL\00010002 Functions) is the whole list Schannel may
//   use: a suite missing from it is not negotiated ("Prioritizing Schannel Cipher Suites",
//   https://learn.microsoft.com/en-us/windows/win32/secauthn/prioritizing-schannel-cipher-suites).
// Settings in SCHANNEL take effect after a restart, so "registry off, wire on" is most often a reboot pending.
import { CipherSuite, isAead, isForwardSecret, suiteByName } from "../cipher-suites";
import type { EndpointEvidence, SchannelEvidence, Snapshot } from "../snapshot";
import type * as Generated from "./schema-types.generated";

export type TlsSurfaceFacts = NonNullable<Generated.TlsSurfaceFacts>;
type WireFacts = NonNullable<TlsSurfaceFacts["wire"]>;
type RegistryFacts = NonNullable<TlsSurfaceFacts["registry"]>;
type ProtocolState = RegistryFacts["protocols"]["TLS 1.2"];
type Weakness = WireFacts["weaknesses"][number];
type Contradiction = TlsSurfaceFacts["contradictions"][number];

const WIRE_VERSIONS = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] as const;
type WireVersion = (typeof WIRE_VERSIONS)[number];
const REGISTRY_NAME: Record<WireVersion, "TLS 1.0" | "TLS 1.1" | "TLS 1.2" | "TLS 1.3"> = { TLSv1: "TLS 1.0", "TLSv1.1": "TLS 1.1", "TLSv1.2": "TLS 1.2", "TLSv1.3": "TLS 1.3" };
const PROTOCOLS = ["SSL 2.0", "SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"] as const;
type ProtocolName = (typeof PROTOCOLS)[number];

/** Windows' default for a protocol on this build (see the header); null: not known. */
export function defaultProtocolEnabled(protocol: ProtocolName, build: number | null): boolean | null {
  if (build === null) return null;
  switch (protocol) {
    case "SSL 2.0":
      return build >= 9200 ? false : null;
    case "SSL 3.0":
      return build >= 14393 ? false : build >= 9200 ? true : null;
    case "TLS 1.0":
    case "TLS 1.1":
      return build >= 26100 ? null : build >= 9200 ? true : null;
    case "TLS 1.2":
      return build >= 9200 ? true : null;
    case "TLS 1.3":
      return build >= 20348 ? true : false;
  }
}

/** "10.0.20348" -> 20348. */
export function windowsBuild(osVersion: string | null | undefined): number | null {
  const m = /^\d+\.\d+\.(\d+)/.exec(osVersion ?? "");
  return m ? Number(m[1]) : null;
}

function caseless<T>(record: Record<string, T> | undefined, name: string): T | undefined {
  if (!record) return undefined;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : record[key];
}

function protocolState(name: ProtocolName, reg: SchannelEvidence, build: number | null): ProtocolState {
  const v = caseless(reg.protocols, name) ?? {};
  const enabled = v.Enabled ?? null;
  const dbd = v.DisabledByDefault ?? null;
  // Nested: a key differing from `enabled` by case only makes ConvertFrom-Json refuse the report (the PS module reads it).
  const base = { registryValues: { Enabled: enabled, DisabledByDefault: dbd } };
  if (enabled === 0) return { ...base, enabled: false, source: "registry", reason: `Protocols\\${name}\\Server Enabled=0: off` };
  if (dbd !== null && dbd !== 0) return { ...base, enabled: false, source: "registry", reason: `Protocols\\${name}\\Server DisabledByDefault=${dbd}: off for the directory service, which does not ask for versions by name` };
  if (enabled !== null || dbd === 0) return { ...base, enabled: true, source: "registry", reason: `Protocols\\${name}\\Server ${enabled !== null ? `Enabled=${enabled}` : "DisabledByDefault=0"}: on` };
  const d = defaultProtocolEnabled(name, build);
  if (d === null) return { ...base, enabled: null, source: "unknown", reason: `no Server values; the Windows default for ${build === null ? "an unknown build" : `build ${build}`} is not known` };
  return { ...base, enabled: d, source: "default", reason: `no Server values: Windows build ${build} default (${d ? "on" : "off"})` };
}

function disabledNames(switches: Record<string, { Enabled?: number | null }> | undefined): string[] {
  return Object.entries(switches ?? {})
    .filter(([, v]) => v.Enabled === 0)
    .map(([k]) => k)
    .sort();
}

function hasSchannelSurface(reg: SchannelEvidence | undefined): reg is SchannelEvidence {
  return Boolean(reg && (reg.protocols || reg.ciphers || reg.hashes || reg.keyExchangeAlgorithms || reg.cipherSuitePolicy !== undefined));
}

export function registryFacts(snapshot: Snapshot): RegistryFacts | null {
  const reg = snapshot.registry?.schannel;
  if (!hasSchannelSurface(reg)) return null;
  const build = windowsBuild(snapshot.host.osVersion);
  return {
    windowsBuild: build,
    protocols: Object.fromEntries(PROTOCOLS.map((p) => [p, protocolState(p, reg, build)])) as RegistryFacts["protocols"],
    disabledCiphers: disabledNames(reg.ciphers),
    disabledHashes: disabledNames(reg.hashes),
    disabledKeyExchanges: disabledNames(reg.keyExchangeAlgorithms),
    cipherSuitePolicy: reg.cipherSuitePolicy ?? null,
  };
}

/** The weakness kinds of one suite accepted at one version. */
function weaknessesOf(s: CipherSuite): Weakness[] {
  const out: Weakness[] = [];
  if (s.cipher === "RC4") out.push("rc4");
  if (s.cipher === "3DES-CBC") out.push("3des");
  if (s.cipher === "DES-CBC") out.push("des");
  if (s.cipher === "NULL") out.push("null-cipher");
  if (!isForwardSecret(s)) out.push("no-forward-secrecy");
  return out;
}

const WEAKNESS_TEXT: Record<Weakness, string> = {
  rc4: "RC4 (prohibited by RFC 7465)",
  "3des": "3DES (64-bit blocks: Sweet32, CVE-2016-2183)",
  des: "single DES (56-bit key)",
  "null-cipher": "no encryption (NULL cipher)",
  "no-forward-secrecy": "no forward secrecy (RSA key transport: the server key decrypts recorded sessions)",
  "cbc-only-tls12": "TLS 1.2 without any AEAD suite (CBC only: the Lucky13 family)",
};

/** Which weakness kinds a suite list could hide: the kinds of the suites that got no answer. */
function kindsAmong(names: string[]): Weakness[] {
  return [...new Set(names.flatMap((n) => { const s = suiteByName(n); return s ? weaknessesOf(s) : []; }))];
}

function endpointLabel(e: EndpointEvidence): string {
  return `${e.port}/${e.mode === "starttls" ? "StartTLS" : "LDAPS"}`;
}

export function wireFacts(snapshot: Snapshot): WireFacts | null {
  const endpoints = snapshot.network?.endpoints ?? [];
  const withVersions = endpoints.filter((e) => e.versions);
  const enumerated = endpoints.filter((e) => e.ciphers);
  if (withVersions.length === 0 && enumerated.length === 0) return null;
  const weaknesses = new Set<Weakness>();
  const details: string[] = [];
  const untested = new Map<string, Weakness>();
  let complete = enumerated.length > 0;
  const surfaces: WireFacts["endpoints"] = [];
  for (const e of enumerated) {
    const c = e.ciphers!;
    const versions: WireFacts["endpoints"][number]["versions"] = [];
    for (const v of WIRE_VERSIONS) {
      const ve = c.versions[v];
      if (!ve) continue;
      versions.push({ version: v, accepted: [...ve.accepted], refused: [...ve.refused], untestable: [...ve.untestable], notTested: [...ve.notTested], stopped: ve.stopped ?? null });
      if (ve.notTested.length > 0 || ve.stopped) complete = false;
      for (const name of ve.accepted) {
        const s = suiteByName(name);
        if (!s) continue;
        for (const w of weaknessesOf(s)) {
          weaknesses.add(w);
          details.push(`${endpointLabel(e)} ${v}: ${name}: ${WEAKNESS_TEXT[w]}`);
        }
      }
      for (const w of kindsAmong(ve.untestable)) untested.set(`${w} at ${v} on ${endpointLabel(e)}: ${c.library ?? "the prober's TLS library"} cannot offer those suites`, w);
      for (const w of kindsAmong(ve.notTested)) untested.set(`${w} at ${v} on ${endpointLabel(e)}: not asked (${ve.stopped ?? "enumeration stopped"})`, w);
      if (v === "TLSv1.2") {
        const aead = ve.accepted.some((n) => { const s = suiteByName(n); return s ? isAead(s) : false; });
        const couldHaveAead = [...ve.notTested].some((n) => { const s = suiteByName(n); return s ? isAead(s) : false; });
        if (ve.accepted.length > 0 && !aead && !couldHaveAead) {
          weaknesses.add("cbc-only-tls12");
          details.push(`${endpointLabel(e)} TLSv1.2: ${WEAKNESS_TEXT["cbc-only-tls12"]}; accepted ${ve.accepted.join(", ")}`);
        }
      }
    }
    surfaces.push({ port: e.port, mode: e.mode, handshakes: c.handshakes, maxHandshakes: c.maxHandshakes, versions });
  }
  // TLS 1.2 as LDAP clients meet it: every LDAPS/StartTLS/GC endpoint that was asked must take it (one
  // that refuses it is broken for those clients, whatever the others do).
  const asked = withVersions.map((e) => e.versions!["TLSv1.2"]).filter((x): x is boolean => typeof x === "boolean");
  const tls12Accepted = asked.length === 0 ? null : asked.every((x) => x);
  const acceptedVersions = WIRE_VERSIONS.filter((v) => withVersions.some((e) => e.versions![v] === true));
  return {
    enumerated: enumerated.length > 0,
    endpoints: surfaces,
    weaknesses: [...weaknesses].sort(),
    weaknessDetails: details,
    // A kind already found accepted needs no "could not rule out".
    untested: [...untested].filter(([, w]) => !weaknesses.has(w)).map(([text]) => text),
    // The same as kinds, so a control warns when a kind it forbids was never put to the server (this Node's
    // OpenSSL cannot offer RC4/DES/3DES): "not seen" is not "refused".
    untestedKinds: [...new Set([...untested.values()].filter((w) => !weaknesses.has(w)))].sort(),
    complete,
    tls12Accepted,
    acceptedVersions,
  };
}

/** MAC hash of a CBC/stream suite by its name's ending; AEAD suites have none (their SHA-2 is the PRF's). */
function macHash(s: CipherSuite): string | null {
  if (isAead(s) || s.keyExchange === "TLS13") return null;
  if (s.name.endsWith("_MD5")) return "MD5";
  if (s.name.endsWith("_SHA")) return "SHA";
  if (s.name.endsWith("_SHA256")) return "SHA256";
  if (s.name.endsWith("_SHA384")) return "SHA384";
  return null;
}

const KEY_EXCHANGE_SWITCH: Partial<Record<CipherSuite["keyExchange"], string>> = { RSA: "PKCS", DHE: "Diffie-Hellman", ECDHE: "ECDH" };

/**
 * A suite name of the SSL Cipher Suite Order policy as the IANA name the probe records. Windows 8.1 / Server 2012 R2
 * list ECDHE suites once per curve with a suffix (TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256_P256, _P384, _P521; "Cipher
 * Suites in TLS/SSL (Schannel SSP)", the Windows 8.1 list); Windows 10 / Server 2016 and later dropped the suffix.
 */
export function policySuiteName(name: string): string {
  return name.trim().toUpperCase().replace(/_P(256|384|521)$/, "");
}

function contradictionsOf(snapshot: Snapshot, reg: RegistryFacts): Contradiction[] {
  const out: Contradiction[] = [];
  const endpoints = snapshot.network?.endpoints ?? [];
  for (const v of WIRE_VERSIONS) {
    const p = reg.protocols[REGISTRY_NAME[v]];
    if (p.enabled !== false || p.source !== "registry") continue;
    const on = endpoints.filter((e) => e.versions?.[v] === true);
    if (on.length) {
      const seen = `${on.map(endpointLabel).join(", ")} accepted ${v}`;
      out.push({ kind: "protocol", setting: p.reason, seen, message: `the registry turns ${REGISTRY_NAME[v]} off (${p.reason}), yet ${seen}` });
    }
  }
  const policy = reg.cipherSuitePolicy ? new Set(reg.cipherSuitePolicy.map(policySuiteName)) : null;
  const seenSuites = new Map<string, string[]>();
  for (const e of endpoints) {
    for (const v of WIRE_VERSIONS) {
      for (const name of e.ciphers?.versions[v]?.accepted ?? []) {
        const list = seenSuites.get(name) ?? [];
        list.push(`${endpointLabel(e)} ${v}`);
        seenSuites.set(name, list);
      }
    }
  }
  for (const [name, where] of seenSuites) {
    const s = suiteByName(name);
    if (!s) continue;
    const seen = `${where.join(", ")} accepted ${name}`;
    const legacy = s.keyExchange !== "TLS13"; // the algorithm switches govern TLS 1.2 and earlier only
    if (legacy && s.schannelCipher && reg.disabledCiphers.some((c) => c.toLowerCase() === s.schannelCipher!.toLowerCase())) {
      out.push({ kind: "cipher", setting: `Ciphers\\${s.schannelCipher} Enabled=0`, seen, message: `the registry turns ${s.schannelCipher} off, yet ${seen}` });
    }
    const kx = KEY_EXCHANGE_SWITCH[s.keyExchange];
    if (legacy && kx && reg.disabledKeyExchanges.some((k) => k.toLowerCase() === kx.toLowerCase())) {
      out.push({ kind: "keyExchange", setting: `KeyExchangeAlgorithms\\${kx} Enabled=0`, seen, message: `the registry turns the ${kx} key exchange off, yet ${seen}` });
    }
    const mac = macHash(s);
    if (legacy && mac && reg.disabledHashes.some((h) => h.toLowerCase() === mac.toLowerCase())) {
      out.push({ kind: "hash", setting: `Hashes\\${mac} Enabled=0`, seen, message: `the registry turns the ${mac} hash off, yet ${seen}` });
    }
    if (policy && !policy.has(name.toUpperCase())) {
      out.push({ kind: "suitePolicy", setting: "SSL Cipher Suite Order policy (00010002 Functions)", seen, message: `${name} is not in the SSL Cipher Suite Order policy, yet ${seen}` });
    }
  }
  return out;
}

function tls12Facts(reg: RegistryFacts | null, wire: WireFacts | null): TlsSurfaceFacts["tls12"] {
  const registryEnabled = reg ? reg.protocols["TLS 1.2"].enabled : null;
  const wireAccepted = wire ? wire.tls12Accepted : null;
  const parts: string[] = [];
  if (reg) parts.push(`registry: ${reg.protocols["TLS 1.2"].reason}`);
  if (wireAccepted !== null) parts.push(`wire: TLS 1.2 ${wireAccepted ? "accepted" : "refused"} when offered alone`);
  const known = registryEnabled !== null || wireAccepted !== null;
  const enabled = !known ? null : registryEnabled === false || wireAccepted === false ? false : true;
  const reason = !known ? "neither the Schannel registry nor a version probe says whether TLS 1.2 is served" : parts.join("; ");
  return { known, enabled, registryEnabled, wireAccepted, reason };
}

export function tlsSurfaceFacts(snapshot: Snapshot): TlsSurfaceFacts | null {
  const wire = wireFacts(snapshot);
  const registry = registryFacts(snapshot);
  if (!wire && !registry) return null;
  const compared = Boolean(wire && registry);
  const contradictions = compared ? contradictionsOf(snapshot, registry!) : [];
  return {
    wire,
    registry,
    tls12: tls12Facts(registry, wire),
    compared,
    // Without --ciphers only the versions meet the registry: the message must not claim the suites were checked.
    comparedWhat: !compared ? null : wire!.enumerated ? "protocol versions, and the accepted suites against Ciphers, KeyExchangeAlgorithms, Hashes and the suite-order policy" : "protocol versions only (cipher suites not enumerated: probe --ciphers)",
    contradictions,
    contradictionMessages: contradictions.map((c) => c.message),
  };
}
