// Test table for LDAPS-C13: schemas/controls/LDAPS-C13.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

const sig = (hash: string | null, algorithm = `${(hash ?? "ed25519").toLowerCase().replace("-", "")}WithRSAEncryption`) => ({ algorithm, hash });
const el = (name: string, signature: ReturnType<typeof sig> | null, trustAnchor = false) => ({ thumbprint: name.charAt(0).repeat(40), subject: `CN=${name}`, notAfter: null, signature, trustAnchor });

testControl("LDAPS-C13", {
  valid: [
    {
      name: "every element described and SHA-256",
      facts: { chain: { path: [el("A leaf", sig("SHA-256")), el("B issuing", sig("SHA-256")), el("C root", sig("SHA-256"), true)] } },
      message: /every certificate of its 3-certificate chain below the trust anchor/,
    },
    { name: "the healthy example: Windows' chain with each element's DER, all SHA-256", facts: {}, message: /3-certificate chain below the trust anchor/ },
    {
      // Verifiers never check the anchor's own signature (RFC 5280 6.1.1 d; OpenSSL skips it at index num-1).
      name: "a SHA-1 self-signed root as the trust anchor is exempt",
      facts: { chain: { path: [el("A leaf", sig("SHA-256")), el("B issuing", sig("SHA-256")), el("C root", sig("SHA-1"), true)] } },
    },
    {
      name: "an MD5 trust anchor is exempt too",
      facts: { chain: { path: [el("A leaf", sig("SHA-256")), el("C root", sig("MD5"), true)] } },
    },
    {
      name: "the trust anchor named without its DER: nothing to check, no warning",
      facts: { chain: { path: [el("A leaf", sig("SHA-256")), el("B issuing", sig("SHA-384")), el("C root", null, true)] } },
    },
    { name: "no chain built: skip", facts: { chain: { source: "none", trusted: null, path: [] } }, status: "skip" },
  ],
  invalid: [
    {
      name: "SHA-1 intermediate under a SHA-256 leaf",
      facts: { chain: { path: [el("A leaf", sig("SHA-256")), el("B issuing", sig("SHA-1")), el("C root", sig("SHA-256"), true)] } },
      message: /\/chain\/path\/1\/signature\/hash/,
    },
    {
      name: "MD5 last element that is not a trust anchor (a partial chain): judged like any intermediate",
      facts: { chain: { path: [el("A leaf", sig("SHA-256")), el("C issuing", sig("MD5"), false)] } },
      message: /\/chain\/path\/1\/signature\/hash/,
    },
    {
      name: "SHA-1 leaf inside the chain (C10 judges it too, C13 does not look away)",
      facts: { chain: { path: [el("A leaf", sig("SHA-1")), el("C root", sig("SHA-256"), true)] } },
      message: /\/chain\/path\/0\/signature\/hash/,
    },
    {
      name: "an intermediate signed with RSASSA-PSS over SHA-1 (its parameters say so; null no longer hides it)",
      facts: { chain: { path: [el("A leaf", sig("SHA-256")), el("B issuing", { algorithm: "RSASSA-PSS with SHA-1", hash: "SHA-1" }), el("C root", sig("SHA-256"), true)] } },
      message: /\/chain\/path\/1\/signature\/hash/,
    },
    {
      name: "an intermediate signed with an algorithm we do not know: not taken for a strong one",
      facts: { chain: { path: [el("A leaf", sig("SHA-256")), el("B issuing", { algorithm: "1.2.3.4", hash: "unknown" }), el("C root", sig("SHA-256"), true)] } },
    },
    {
      name: "issuers named by thumbprint only (no DER in the evidence): warn, not pass",
      facts: { chain: { path: [el("A leaf", sig("SHA-256")), el("B issuing", null), el("C root", null, true)] } },
      status: "warn",
      message: /named without its DER/,
    },
    {
      name: "a presented chain of the leaf alone (the issuer not sent): warn, the CA's signature was never seen",
      facts: { chain: { source: "client", path: [el("A leaf", sig("SHA-256"))] } },
      status: "warn",
      message: /stops before its anchor/,
    },
  ],
});
