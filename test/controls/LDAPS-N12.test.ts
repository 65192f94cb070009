// Test table for LDAPS-N12: schemas/controls/LDAPS-N12.json. Run by the shared tester (test/controls/tester.ts).
// Facts come from lib/facts/tlsSurface.ts over small snapshots (./surface-evidence.ts).
import { testControl } from "./tester";
import { ldapsEndpoint, MODERN, surface, version } from "./surface-evidence";

const GCM = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
const RSA_CBC = "TLS_RSA_WITH_AES_128_CBC_SHA";
const LEGACY = { TLSv1: true, "TLSv1.1": false, "TLSv1.2": true, "TLSv1.3": true };
const tls10off = { protocols: { "TLS 1.0": { Enabled: 0 } } };

testControl("LDAPS-N12", {
  valid: [
    { name: "TLS 1.0 off in the registry and refused on the wire; says only versions were compared", facts: surface({ schannel: tls10off, endpoints: [ldapsEndpoint(MODERN)] }), message: /compared: protocol versions only \(cipher suites not enumerated/ },
    { name: "Windows Server 2012 R2's policy names ECDHE suites with a curve suffix (_P256): the accepted suite is in it", facts: surface({ schannel: { cipherSuitePolicy: ["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256_P256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256_P384"] }, endpoints: [ldapsEndpoint(MODERN, { "TLSv1.2": version(["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"]) })] }), message: /compared: protocol versions, and the accepted suites/ },
    { name: "PKCS off, only ECDHE suites accepted", facts: surface({ schannel: { keyExchangeAlgorithms: { PKCS: { Enabled: 0 } } }, endpoints: [ldapsEndpoint(MODERN, { "TLSv1.2": version([GCM]) })] }) },
    { name: "TLS 1.0 on by default (no values) and accepted: no contradiction", facts: surface({ schannel: { protocols: {} }, endpoints: [ldapsEndpoint(LEGACY)] }) },
    { name: "AES 128 off does not govern TLS 1.3 suites", facts: surface({ schannel: { ciphers: { "AES 128/128": { Enabled: 0 } } }, endpoints: [ldapsEndpoint(MODERN, { "TLSv1.3": version(["TLS_AES_128_GCM_SHA256"]) })] }) },
    { name: "registry only (no probe): skip", facts: surface({ schannel: tls10off }), status: "skip", message: /--probe/ },
    { name: "probe only: skip", facts: surface({ endpoints: [ldapsEndpoint(LEGACY)] }), status: "skip" },
  ],
  invalid: [
    { name: "TLS 1.0 Server Enabled=0, yet 636 accepts TLSv1", facts: surface({ schannel: tls10off, endpoints: [ldapsEndpoint(LEGACY)] }), status: "warn", message: /turns TLS 1.0 off .*yet 636\/LDAPS accepted TLSv1/ },
    { name: "KeyExchangeAlgorithms\\PKCS off, yet an RSA key-transport suite is accepted", facts: surface({ schannel: { keyExchangeAlgorithms: { PKCS: { Enabled: 0 } } }, endpoints: [ldapsEndpoint(MODERN, { "TLSv1.2": version([GCM, RSA_CBC]) })] }), status: "warn", message: /PKCS key exchange off, yet .*TLS_RSA_WITH_AES_128_CBC_SHA/ },
    { name: "Ciphers\\Triple DES 168 off, yet 3DES accepted", facts: surface({ schannel: { ciphers: { "Triple DES 168": { Enabled: 0 } } }, endpoints: [ldapsEndpoint(MODERN, { "TLSv1.2": version([GCM, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"]) })] }), status: "warn", message: /Triple DES 168 off/ },
    { name: "Hashes\\SHA off, yet a SHA-1 MAC suite is accepted", facts: surface({ schannel: { hashes: { SHA: { Enabled: 0 } } }, endpoints: [ldapsEndpoint(MODERN, { "TLSv1.2": version([GCM, RSA_CBC]) })] }), status: "warn", message: /SHA hash off/ },
    { name: "a suite missing from the cipher-suite order policy is accepted", facts: surface({ schannel: { cipherSuitePolicy: [GCM] }, endpoints: [ldapsEndpoint(MODERN, { "TLSv1.2": version([GCM, RSA_CBC]) })] }), status: "warn", message: /TLS_RSA_WITH_AES_128_CBC_SHA is not in the SSL Cipher Suite Order policy/ },
  ],
});
