// Enforcement facts: what the DC's answers to the probe's throw-away binds (lib/probe/enforcement.ts) say about
// "LDAP signing required" and "LDAPS channel binding". Pure. Only an answer shaped like Active Directory's
// decides; anything else (no LDAP answer, an unexpected result code) is null with the reason.
//
// Microsoft's error data (the hex after "data" in an AD bind error): 80090346 = SEC_E_BAD_BINDINGS ("Client's
// supplied SSPI channel bindings were incorrect"); 52e = ERROR_LOGON_FAILURE, i.e. the credentials were checked.
// LdapRelayScan reads the same two values.
import type { BindAnswer, EnforcementEvidence } from "../snapshot";

export interface SigningFacts {
  tested: boolean;
  port: number | null;
  /** true: a simple bind on plain LDAP is refused (strongerAuthRequired); false: it reaches the credential check. */
  required: boolean | null;
  resultCode: number | null;
  reason: string;
}

export interface ChannelBindingFacts {
  tested: boolean;
  port: number | null;
  /** LdapEnforceChannelBinding as seen on the wire: always (2), when-supported (1), never (0); null = could not tell. */
  setting: "always" | "when-supported" | "never" | null;
  reason: string;
}

export interface EnforcementFacts {
  signing: SigningFacts;
  channelBinding: ChannelBindingFacts;
}

const NAMES: Record<number, string> = { 0: "success", 7: "authMethodNotSupported", 8: "strongerAuthRequired", 2: "protocolError", 13: "confidentialityRequired", 49: "invalidCredentials", 53: "unwillingToPerform", 80: "other" };

export function describeAnswer(a: BindAnswer): string {
  if (a.error) return a.error;
  const name = a.resultCode === null ? "no result" : `${NAMES[a.resultCode] ?? "result"} (${a.resultCode})`;
  return a.diagnosticMessage ? `${name}: ${a.diagnosticMessage}` : name;
}

export function errorData(a: BindAnswer | null): string | null {
  const m = a?.diagnosticMessage ? /\bdata ([0-9a-f]+)\b/i.exec(a.diagnosticMessage) : null;
  return m ? m[1].toLowerCase() : null;
}

const BAD_BINDINGS = "80090346";

// With --enforcement, a check is only skipped when the probed ports are not AD DS's own (lib/probe/index.ts
// enforcementPorts), e.g. `probe host:50636`: 389/636 of that machine may be another service.
const NOT_ASKED = "not checked (probe --enforcement)";
const NO_LDAP_PORT = "not checked: the port probed is not AD DS's own (389, 636, 3268, 3269) and that service's plain LDAP port is not known; 389 may be another service";
const NO_LDAPS_PORT = "not checked: no LDAPS port was among the ports probed";

function signingFacts(e: EnforcementEvidence["signing"] | undefined, asked: boolean): SigningFacts {
  if (!e) return { tested: false, port: null, required: null, resultCode: null, reason: asked ? NO_LDAP_PORT : NOT_ASKED };
  const a = e.answer;
  const base = { tested: true, port: e.port, resultCode: a.resultCode };
  const what = `a simple bind with a throw-away name on plain LDAP port ${e.port} was answered ${describeAnswer(a)}`;
  if (a.resultCode === 8) return { ...base, required: true, reason: `${what}: binds without signing or TLS are refused` };
  if (a.resultCode === 49 || a.resultCode === 0) return { ...base, required: false, reason: `${what}: the DC checked the credentials, so it accepts simple binds without signing or TLS` };
  return { ...base, required: null, reason: `could not tell: ${what}` };
}

function channelBindingFacts(e: EnforcementEvidence["channelBinding"] | undefined, asked: boolean): ChannelBindingFacts {
  if (!e) return { tested: false, port: null, setting: null, reason: asked ? NO_LDAPS_PORT : NOT_ASKED };
  const base = { tested: true, port: e.port };
  const w = e.withoutToken;
  const without = `an NTLM bind over LDAPS port ${e.port} without a channel-binding token was answered ${describeAnswer(w)}`;
  const adLike = (a: BindAnswer) => (a.resultCode === 49 && errorData(a) !== null) || a.resultCode === 0;
  if (!adLike(w)) {
    return { ...base, setting: null, reason: `could not tell: the server did not answer the NTLM bind the way an Active Directory DC does (${without})` };
  }
  if (w.resultCode === 49 && errorData(w) === BAD_BINDINGS) return { ...base, setting: "always", reason: `${without}: 80090346 is SEC_E_BAD_BINDINGS, so a token is required` };
  const t = e.wrongToken;
  if (!t || !adLike(t)) return { ...base, setting: null, reason: `${without}, so a token is not required; the bind with a wrong token ${t ? `was answered ${describeAnswer(t)}` : "was not made"}, so "never" and "when supported" cannot be told apart` };
  if (t.resultCode === 49 && errorData(t) === BAD_BINDINGS) return { ...base, setting: "when-supported", reason: `${without}, but a wrong token was refused with 80090346 (SEC_E_BAD_BINDINGS): tokens are checked when sent` };
  return { ...base, setting: "never", reason: `${without}, and a wrong token was not refused either (${describeAnswer(t)}): tokens are not checked` };
}

export function enforcementFacts(e: EnforcementEvidence | undefined): EnforcementFacts {
  return { signing: signingFacts(e?.signing, e !== undefined), channelBinding: channelBindingFacts(e?.channelBinding, e !== undefined) };
}
