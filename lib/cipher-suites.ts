// The TLS cipher suites the surface probe asks about, and what each one is made of. Defined once: the probe
// (lib/probe/ciphers.ts) offers them, the facts (lib/facts/tlsSurface.ts) judge them, the Schannel registry
// facts map them to the registry's algorithm switches.
//
// Names are the IANA registry's (https://www.iana.org/assignments/tls-parameters/tls-parameters.xhtml#tls-parameters-4),
// which is also how Windows names them (Get-TlsCipherSuite, the SSL\00010002 "Functions" policy) and what Node
// reports as getCipher().standardName. `openssl` is OpenSSL's name, the one a client cipher string takes.
//
// The list is the suites Schannel implements ("Cipher Suites in TLS/SSL (Schannel SSP)",
// https://learn.microsoft.com/en-us/windows/win32/secauthn/cipher-suites-in-schannel, Windows Server 2012 R2
// to 2025; PSK suites left out: no LDAPS client uses them) plus the ChaCha20/CCM suites OpenSSL servers (slapd,
// Samba's GnuTLS) commonly enable, so a Linux peer is described as fully as a Windows one.

export type SuiteVersion = "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";

export interface CipherSuite {
  /** IANA name. */
  name: string;
  /** OpenSSL's name (what a client cipher string takes). */
  openssl: string;
  /** Lowest protocol version that can negotiate it ("TLSv1" also covers 1.1 and 1.2; "TLSv1.2" means 1.2 only). */
  minVersion: "TLSv1" | "TLSv1.2" | "TLSv1.3";
  /** Key exchange: ECDHE/DHE (forward secret), RSA (the server key decrypts every recorded session), or TLS 1.3's (always ephemeral). */
  keyExchange: "ECDHE" | "DHE" | "RSA" | "TLS13";
  /** Authentication by the certificate's key type (TLS 1.3 suites leave it to the signature algorithms). */
  authentication: "RSA" | "ECDSA" | "DSS" | "any";
  /** The bulk cipher. */
  cipher: "AES-GCM" | "AES-CCM" | "AES-CCM8" | "CHACHA20-POLY1305" | "AES-CBC" | "3DES-CBC" | "DES-CBC" | "RC4" | "NULL";
  /** The Schannel registry switch that governs the bulk cipher (SCHANNEL\Ciphers\<key>); null: no switch exists. */
  schannelCipher: string | null;
}

const S = (
  name: string,
  openssl: string,
  minVersion: CipherSuite["minVersion"],
  keyExchange: CipherSuite["keyExchange"],
  authentication: CipherSuite["authentication"],
  cipher: CipherSuite["cipher"],
  schannelCipher: string | null,
): CipherSuite => ({ name, openssl, minVersion, keyExchange, authentication, cipher, schannelCipher });

// Schannel's SCHANNEL\Ciphers subkey names ("TLS/SSL Settings", https://learn.microsoft.com/en-us/windows-server/security/tls/tls-registry-settings#ciphers).
const AES128 = "AES 128/128";
const AES256 = "AES 256/256";

export const CIPHER_SUITES: readonly CipherSuite[] = [
  // TLS 1.3 (Windows Server 2022 and later; no registry cipher switch governs them: "TLS/SSL Settings" says the Ciphers keys apply to TLS 1.2 and earlier).
  S("TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", "TLSv1.3", "TLS13", "any", "AES-GCM", null),
  S("TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", "TLSv1.3", "TLS13", "any", "AES-GCM", null),
  S("TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256", "TLSv1.3", "TLS13", "any", "CHACHA20-POLY1305", null),
  S("TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_SHA256", "TLSv1.3", "TLS13", "any", "AES-CCM", null),
  S("TLS_AES_128_CCM_8_SHA256", "TLS_AES_128_CCM_8_SHA256", "TLSv1.3", "TLS13", "any", "AES-CCM8", null),
  // TLS 1.2 AEAD.
  S("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384", "TLSv1.2", "ECDHE", "ECDSA", "AES-GCM", AES256),
  S("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256", "TLSv1.2", "ECDHE", "ECDSA", "AES-GCM", AES128),
  S("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384", "TLSv1.2", "ECDHE", "RSA", "AES-GCM", AES256),
  S("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "TLSv1.2", "ECDHE", "RSA", "AES-GCM", AES128),
  S("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305", "TLSv1.2", "ECDHE", "ECDSA", "CHACHA20-POLY1305", null),
  S("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305", "TLSv1.2", "ECDHE", "RSA", "CHACHA20-POLY1305", null),
  S("TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "DHE-RSA-AES256-GCM-SHA384", "TLSv1.2", "DHE", "RSA", "AES-GCM", AES256),
  S("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "DHE-RSA-AES128-GCM-SHA256", "TLSv1.2", "DHE", "RSA", "AES-GCM", AES128),
  S("TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "DHE-RSA-CHACHA20-POLY1305", "TLSv1.2", "DHE", "RSA", "CHACHA20-POLY1305", null),
  S("TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384", "TLSv1.2", "RSA", "RSA", "AES-GCM", AES256),
  S("TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256", "TLSv1.2", "RSA", "RSA", "AES-GCM", AES128),
  // TLS 1.2 CBC with SHA-2 MACs.
  S("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "ECDHE-ECDSA-AES256-SHA384", "TLSv1.2", "ECDHE", "ECDSA", "AES-CBC", AES256),
  S("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA-AES128-SHA256", "TLSv1.2", "ECDHE", "ECDSA", "AES-CBC", AES128),
  S("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "ECDHE-RSA-AES256-SHA384", "TLSv1.2", "ECDHE", "RSA", "AES-CBC", AES256),
  S("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA-AES128-SHA256", "TLSv1.2", "ECDHE", "RSA", "AES-CBC", AES128),
  S("TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", "DHE-RSA-AES256-SHA256", "TLSv1.2", "DHE", "RSA", "AES-CBC", AES256),
  S("TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", "DHE-RSA-AES128-SHA256", "TLSv1.2", "DHE", "RSA", "AES-CBC", AES128),
  S("TLS_RSA_WITH_AES_256_CBC_SHA256", "AES256-SHA256", "TLSv1.2", "RSA", "RSA", "AES-CBC", AES256),
  S("TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256", "TLSv1.2", "RSA", "RSA", "AES-CBC", AES128),
  S("TLS_RSA_WITH_NULL_SHA256", "NULL-SHA256", "TLSv1.2", "RSA", "RSA", "NULL", "NULL"),
  // TLS 1.0 and later, CBC with SHA-1 (and the legacy ciphers).
  S("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA", "TLSv1", "ECDHE", "ECDSA", "AES-CBC", AES256),
  S("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA", "TLSv1", "ECDHE", "ECDSA", "AES-CBC", AES128),
  S("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA", "TLSv1", "ECDHE", "RSA", "AES-CBC", AES256),
  S("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA", "TLSv1", "ECDHE", "RSA", "AES-CBC", AES128),
  S("TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "DHE-RSA-AES256-SHA", "TLSv1", "DHE", "RSA", "AES-CBC", AES256),
  S("TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "DHE-RSA-AES128-SHA", "TLSv1", "DHE", "RSA", "AES-CBC", AES128),
  S("TLS_DHE_DSS_WITH_AES_256_CBC_SHA", "DHE-DSS-AES256-SHA", "TLSv1", "DHE", "DSS", "AES-CBC", AES256),
  S("TLS_DHE_DSS_WITH_AES_128_CBC_SHA", "DHE-DSS-AES128-SHA", "TLSv1", "DHE", "DSS", "AES-CBC", AES128),
  S("TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA", "TLSv1", "RSA", "RSA", "AES-CBC", AES256),
  S("TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA", "TLSv1", "RSA", "RSA", "AES-CBC", AES128),
  S("TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-RSA-DES-CBC3-SHA", "TLSv1", "ECDHE", "RSA", "3DES-CBC", "Triple DES 168"),
  S("TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA", "DHE-DSS-DES-CBC3-SHA", "TLSv1", "DHE", "DSS", "3DES-CBC", "Triple DES 168"),
  S("TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA", "TLSv1", "RSA", "RSA", "3DES-CBC", "Triple DES 168"),
  S("TLS_RSA_WITH_DES_CBC_SHA", "DES-CBC-SHA", "TLSv1", "RSA", "RSA", "DES-CBC", "DES 56/56"),
  S("TLS_RSA_WITH_RC4_128_SHA", "RC4-SHA", "TLSv1", "RSA", "RSA", "RC4", "RC4 128/128"),
  S("TLS_RSA_WITH_RC4_128_MD5", "RC4-MD5", "TLSv1", "RSA", "RSA", "RC4", "RC4 128/128"),
  S("TLS_RSA_WITH_NULL_SHA", "NULL-SHA", "TLSv1", "RSA", "RSA", "NULL", "NULL"),
  S("TLS_RSA_WITH_NULL_MD5", "NULL-MD5", "TLSv1", "RSA", "RSA", "NULL", "NULL"),
];

const BY_NAME = new Map(CIPHER_SUITES.map((s) => [s.name, s]));

export function suiteByName(name: string): CipherSuite | undefined {
  return BY_NAME.get(name);
}

/** The suites a client may offer at this version (TLS 1.3 has its own five; 1.2 adds the SHA-2/AEAD suites). */
export function suitesFor(version: SuiteVersion): CipherSuite[] {
  if (version === "TLSv1.3") return CIPHER_SUITES.filter((s) => s.minVersion === "TLSv1.3");
  if (version === "TLSv1.2") return CIPHER_SUITES.filter((s) => s.minVersion !== "TLSv1.3");
  return CIPHER_SUITES.filter((s) => s.minVersion === "TLSv1");
}

/** Forward secrecy: an ephemeral key exchange (ECDHE, DHE, every TLS 1.3 suite). RSA key transport has none. */
export function isForwardSecret(s: CipherSuite): boolean {
  return s.keyExchange !== "RSA";
}

/** Authenticated encryption (GCM, CCM, ChaCha20-Poly1305): not exposed to the CBC padding-oracle family (Lucky13, POODLE-TLS). */
export function isAead(s: CipherSuite): boolean {
  return s.cipher === "AES-GCM" || s.cipher === "AES-CCM" || s.cipher === "AES-CCM8" || s.cipher === "CHACHA20-POLY1305";
}
