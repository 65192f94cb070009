// "If I enforce LDAP signing / channel binding, is it already on?" answered on the wire, without credentials
// (issue 16 item 3). Two checks, each on its own connection under the probe's deadline:
//
// - Signing: a simple bind with a throw-away name and password on plain LDAP (389). A DC that requires signing
//   (LDAPServerIntegrity = 2) refuses it with strongerAuthRequired (8) before looking at the credentials; one
//   that does not checks them and answers invalidCredentials (49). Samba does the same for
//   `ldap server require strong auth` = allow_sasl_over_tls / yes versus no (source4/ldap_server/ldap_bind.c).
// - Channel binding (the LdapRelayScan method): an NTLM bind over LDAPS through AD's Sicily bind choices
//   (MS-ADTS 5.1.1.1.3), with a throw-away account and a random NTLM response. Without a channel-binding token,
//   a DC with LdapEnforceChannelBinding = 2 answers invalidCredentials with "data 80090346" (SEC_E_BAD_BINDINGS)
//   before the credentials are checked; otherwise "data 52e" (logon failure). With a wrong token, 1 ("when
//   supported") also answers 80090346. No real password is ever hashed or sent.
//
// Each check costs the DC one failed logon (Security 4625/4771 may alert a SOC) and, for the signing check,
// one insecure simple bind counted in 2887/2889: that is why it is opt-in (probe --enforcement).
import { randomBytes } from "node:crypto";
import type { Socket } from "node:net";
import type { BindAnswer, EnforcementEvidence } from "../snapshot";
import { BerError, bindRequest, parseLdapResult, unbindRequest } from "./ber";
import { Attempt, openTls, resolveHost, tcpConnect } from "./connect";
import { ProbeError, classify } from "./failure";
import { authenticateMessage, negotiateMessage, NtlmError, parseChallenge } from "./ntlm";

export interface EnforcementOptions {
  host: string;
  /** Plain LDAP port for the signing check (default 389); null = skip it. */
  ldapPort?: number | null;
  /** LDAPS port for the channel-binding check (default 636); null = skip it. */
  ldapsPort?: number | null;
  servername?: string;
  timeoutMs: number;
  dnsServers?: string[];
}

/** A throw-away account name: random, so it can match (and lock out) no real account. */
export function throwAwayName(): string {
  return `ldaps-audit-probe-${randomBytes(6).toString("hex")}`;
}

/** Send one request and wait for the LDAP result that answers it (or the end of the connection). */
function exchange(socket: Socket, request: Buffer): Promise<BindAnswer & { matchedDN: Buffer | null }> {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    const done = (a: BindAnswer & { matchedDN: Buffer | null }) => {
      socket.removeListener("data", onData);
      socket.removeListener("close", onClose);
      socket.removeListener("error", onError);
      resolve(a);
    };
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      try {
        const r = parseLdapResult(buf);
        if (!r) return;
        done({ resultCode: r.message.resultCode, diagnosticMessage: r.message.diagnosticMessage, error: null, matchedDN: r.message.matchedDN });
      } catch (e) {
        done({ resultCode: null, diagnosticMessage: null, error: e instanceof BerError ? e.message : String(e), matchedDN: null });
      }
    };
    const onClose = () => done({ resultCode: null, diagnosticMessage: null, error: "the server closed the connection without answering the bind", matchedDN: null });
    const onError = (e: Error) => done({ resultCode: null, diagnosticMessage: null, error: `connection error: ${(e as NodeJS.ErrnoException).code ?? e.message}`, matchedDN: null });
    socket.on("data", onData);
    socket.once("close", onClose);
    socket.once("error", onError);
    socket.write(request);
  });
}

const failed = (attempt: Attempt, e: unknown): BindAnswer => {
  const f = e instanceof ProbeError ? e.failure : classify(e, attempt.stage);
  return { resultCode: null, diagnosticMessage: null, error: `${f.kind} at ${f.stage ?? attempt.stage}: ${f.message}` };
};

const strip = (a: BindAnswer & { matchedDN?: Buffer | null }): BindAnswer => ({ resultCode: a.resultCode, diagnosticMessage: a.diagnosticMessage, error: a.error });

export async function checkSigning(o: EnforcementOptions & { port: number }): Promise<BindAnswer> {
  const attempt = new Attempt(o.timeoutMs);
  try {
    const address = await attempt.run("dns", () => resolveHost(o.host, o.dnsServers));
    const socket = await attempt.run("tcp", () => tcpConnect(attempt, address, o.port));
    // A UPN-shaped name in a domain that cannot exist, and a random password: nothing real is offered.
    const answer = await attempt.run("ldap", () => exchange(socket, bindRequest(1, `${throwAwayName()}@invalid`, { tag: 0x80, value: randomBytes(12) })));
    if (socket.writable) socket.write(unbindRequest(2));
    return strip(answer);
  } catch (e) {
    return failed(attempt, e);
  } finally {
    attempt.close();
  }
}

/** One Sicily NTLM bind over TLS; `channelBindings` absent = no token, else that (wrong) token. */
export async function sicilyBind(o: EnforcementOptions & { port: number }, channelBindings?: Buffer): Promise<BindAnswer> {
  const attempt = new Attempt(o.timeoutMs);
  try {
    const hs = await openTls(attempt, { host: o.host, port: o.port, mode: "ldaps", dnsServers: o.dnsServers }, { servername: o.servername });
    const first = await attempt.run("ldap", () => exchange(hs.socket, bindRequest(1, "NTLM", { tag: 0x8a, value: negotiateMessage() })));
    // Anything but success with a CHALLENGE is the server's answer to NTLM itself (not AD, or NTLM refused).
    if (first.resultCode !== 0 || !first.matchedDN?.length) return strip(first);
    let challenge;
    try {
      challenge = parseChallenge(first.matchedDN);
    } catch (e) {
      return { resultCode: first.resultCode, diagnosticMessage: first.diagnosticMessage, error: `the answer to sicilyNegotiate is not an NTLM challenge: ${(e as NtlmError).message}` };
    }
    const domain = challenge.targetInfo.find((p) => p.id === 2)?.value.toString("utf16le") ?? "";
    const auth = authenticateMessage(challenge, { user: throwAwayName(), domain, channelBindings });
    const answer = await attempt.run("ldap", () => exchange(hs.socket, bindRequest(2, "", { tag: 0x8b, value: auth })));
    if (hs.socket.writable) hs.socket.write(unbindRequest(3));
    return strip(answer);
  } catch (e) {
    return failed(attempt, e);
  } finally {
    attempt.close();
  }
}

/** The "data <hex>" of an Active Directory bind error ("80090346: ... data 52e, v4563"), lower-case, or null. */
export function adErrorData(diagnostic: string | null): string | null {
  const m = diagnostic ? /\bdata ([0-9a-f]+)\b/i.exec(diagnostic) : null;
  return m ? m[1].toLowerCase() : null;
}

export const SEC_E_BAD_BINDINGS = "80090346";

/** Both checks, in parallel; the wrong-token bind only when the first did not already show "always". */
export async function probeEnforcement(o: EnforcementOptions): Promise<EnforcementEvidence> {
  const ldapPort = o.ldapPort === undefined ? 389 : o.ldapPort;
  const ldapsPort = o.ldapsPort === undefined ? 636 : o.ldapsPort;
  const signing = ldapPort === null ? null : checkSigning({ ...o, port: ldapPort }).then((answer) => ({ port: ldapPort, answer }));
  const channelBinding =
    ldapsPort === null
      ? null
      : sicilyBind({ ...o, port: ldapsPort }).then(async (withoutToken) => {
          // AD-shaped answers are 49 with "data <hex>", or success (an account that binds, e.g. Guest); the second
          // bind is only needed when the first neither showed "always" nor came from something that is not AD.
          const data = adErrorData(withoutToken.diagnosticMessage);
          const adLike = (withoutToken.resultCode === 49 && data !== null) || withoutToken.resultCode === 0;
          const decided = !adLike || data === SEC_E_BAD_BINDINGS;
          // A wrong token: 16 random bytes are not the MD5 of this channel's gss_channel_bindings_struct.
          const wrongToken = decided ? null : await sicilyBind({ ...o, port: ldapsPort }, randomBytes(16));
          return { port: ldapsPort, withoutToken, wrongToken };
        });
  return { signing: signing ? await signing : null, channelBinding: channelBinding ? await channelBinding : null };
}
