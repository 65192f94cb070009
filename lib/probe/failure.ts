// Telling failures apart: a refused port, a reset, a timeout, a DNS failure and a TLS alert lead to
// different fixes (firewall, no certificate / event 1220, routing, DNS, protocol or cipher policy).
import type { ProbeFailure } from "../snapshot";

export type Stage = NonNullable<ProbeFailure["stage"]>;

export class ProbeError extends Error {
  constructor(readonly failure: ProbeFailure) {
    super(failure.message);
    this.name = "ProbeError";
  }
}

const DNS_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NONAME", "ESERVFAIL", "ENODATA", "ENONAME", "ENOTIMP", "EREFUSED", "ECONNREFUSED_DNS", "ETIMEOUT", "EBADRESP", "ECONNREFUSED"]);

/** An OpenSSL error code (ERR_SSL_*) that reports an alert received from the peer. */
function isAlert(code: string, message: string): boolean {
  return /ALERT/i.test(code) || /alert/i.test(message);
}

export function classify(err: unknown, stage: Stage): ProbeFailure {
  const e = err as NodeJS.ErrnoException & { reason?: string; library?: string };
  if (err instanceof ProbeError) return err.failure;
  const code = e?.code ?? null;
  const message = e?.message ?? String(err);
  if (stage === "dns") {
    return { kind: "dns", stage, code, message: `DNS lookup failed: ${code && DNS_CODES.has(code) ? code : message}` };
  }
  switch (code) {
    case "ECONNREFUSED":
      return { kind: "refused", stage, code, message: "connection refused: nothing listens on the port (or a firewall rejects)" };
    case "ECONNRESET":
    case "EPIPE":
      return {
        kind: "reset",
        stage,
        code,
        message:
          stage === "tls"
            ? "the server reset the connection during the TLS handshake (on a DC: typically no usable certificate, event 1220 / Schannel 36886)"
            : `the connection was reset (${stage})`,
      };
    case "ETIMEDOUT":
      return { kind: "timeout", stage, code, message: `timed out (${stage})` };
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "EADDRNOTAVAIL":
      return { kind: "other", stage, code, message: `no route to host: ${message}` };
  }
  if (code && /^ERR_SSL_|^ERR_TLS_/.test(code)) {
    if (code === "ERR_TLS_CERT_ALTNAME_INVALID") return { kind: "tls-verify", stage, code, message };
    if (isAlert(code, message)) return { kind: "tls-alert", stage, code, message: `the server sent a TLS alert: ${e.reason ?? message}` };
    return { kind: "protocol", stage, code, message: `TLS failed on the client side: ${e.reason ?? message}` };
  }
  if (/ssl|tls/i.test(e?.library ?? "") || /SSL routines/.test(message)) {
    return { kind: isAlert(code ?? "", message) ? "tls-alert" : "protocol", stage, code, message };
  }
  return { kind: "other", stage, code, message };
}

export function timeoutFailure(stage: Stage, ms: number): ProbeFailure {
  const what: Record<Stage, string> = {
    dns: "resolving the name",
    tcp: "connecting (packets dropped: a firewall, or the host is down)",
    starttls: "waiting for the answer to StartTLS",
    tls: "the TLS handshake (the server accepted the connection but never completed the handshake)",
    ldap: "the LDAP operations over TLS",
  };
  return { kind: "timeout", stage, code: "ETIMEDOUT", message: `no answer within ${ms} ms while ${what[stage]}` };
}
