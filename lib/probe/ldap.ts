// LDAP over an established TLS socket: the anonymous rootDSE read (rootdse.ts, spoken by the probe), then
// with credentials a simple bind and optionally the listing of OU=Domain Controllers (ldapts drives the
// socket we hand it). Credentials are sent only when the
// caller says the connection verified (or --insecure); passwords are never recorded or logged.
import { isIP } from "node:net";
import type { TLSSocket } from "node:tls";
import type { EndpointEvidence } from "../snapshot";
import { unbindRequest } from "./ber";
import { readRootDse, RootDseEntry } from "./rootdse";
import type { Credentials } from "./types";

type LdapEvidence = NonNullable<EndpointEvidence["ldap"]>;

/** First value of an ldapts attribute (a string, a Buffer or an array of them). */
function first(v: unknown): string | null {
  if (Array.isArray(v)) return v.length ? String(v[0]) : null;
  if (v === undefined || v === null || v === "") return null;
  return Buffer.isBuffer(v) ? v.toString("utf8") : String(v);
}

/** One line, no stack, no secrets: ldapts errors carry the server's diagnostic, never the password. */
export function ldapErrorMessage(e: unknown, password?: string): string {
  let msg = (e instanceof Error ? e.message : String(e)).split("\n")[0].trim();
  if (password && password.length > 0) msg = msg.split(password).join("***");
  const code = (e as { code?: number }).code;
  return typeof code === "number" && !/^Code: /.test(msg) ? `${code}: ${msg}` : msg;
}

export interface LdapStepOptions {
  host: string;
  port: number;
  timeoutMs: number;
  credentials?: Credentials;
  /** Why credentials must not be sent on this connection (null = allowed). */
  bindBlockedReason: string | null;
  discoverDomainControllers?: boolean;
}

/** The evidence's rootDSE fields from the entry's values (attribute names compared without case). */
function rootDseEvidence(entry: RootDseEntry | null): NonNullable<LdapEvidence["rootDse"]> {
  const values = (name: string) => (entry?.get(name.toLowerCase()) ?? []).map((v) => v.toString("utf8"));
  const first = (name: string) => {
    const v = values(name)[0];
    return v === undefined || v === "" ? null : v;
  };
  const gc = first("isGlobalCatalogReady");
  return {
    dnsHostName: first("dnsHostName"),
    isGlobalCatalogReady: gc === null ? null : gc.toUpperCase() === "TRUE",
    supportedLDAPVersion: values("supportedLDAPVersion"),
    defaultNamingContext: first("defaultNamingContext"),
    vendorName: first("vendorName"),
  };
}

export async function ldapOverTls(socket: TLSSocket, opts: LdapStepOptions): Promise<{ ldap: LdapEvidence; discovered?: string[] }> {
  const ldap: LdapEvidence = { rootDse: null, rootDseError: null, bind: null };
  let discovered: string[] | undefined;
  let client: import("ldapts").Client | undefined;
  try {
    try {
      ldap.rootDse = rootDseEvidence(await readRootDse(socket));
    } catch (e) {
      ldap.rootDseError = ldapErrorMessage(e);
    }
    if (opts.credentials) {
      const dn = opts.credentials.dn;
      if (opts.bindBlockedReason) {
        ldap.bind = { attempted: false, dn, ok: null, error: null, skippedReason: opts.bindBlockedReason };
      } else if (!socket.writable || socket.destroyed) {
        ldap.bind = { attempted: false, dn, ok: null, error: null, skippedReason: "the connection closed before the bind" };
      } else {
        const { Client } = await import("ldapts");
        const host = isIP(opts.host) === 6 ? `[${opts.host}]` : opts.host;
        client = new Client({
          url: `ldap://${host}:${opts.port}`,
          timeout: opts.timeoutMs,
          // The connection already exists (and is already TLS): hand ldapts our socket.
          createConnection: (() => socket) as never,
        });
        try {
          await client.bind(dn, opts.credentials.password);
          ldap.bind = { attempted: true, dn, ok: true, error: null, skippedReason: null };
        } catch (e) {
          ldap.bind = { attempted: true, dn, ok: false, error: ldapErrorMessage(e, opts.credentials.password), skippedReason: null };
        }
        if (ldap.bind.ok && opts.discoverDomainControllers && ldap.rootDse?.defaultNamingContext) {
          try {
            const res = await client.search(`OU=Domain Controllers,${ldap.rootDse.defaultNamingContext}`, {
              scope: "sub",
              filter: "(objectClass=computer)",
              attributes: ["dNSHostName"],
              sizeLimit: 5000,
            });
            discovered = res.searchEntries.map((x) => first((x as Record<string, unknown>).dNSHostName)).filter((x): x is string => Boolean(x));
          } catch {
            discovered = [];
          }
        }
      }
    }
  } finally {
    // Unbind politely but never wait on it for long: without ldapts, only until the request is written (no
    // answer comes to an unbind); then make sure the socket is gone (ldapts keeps a socket open after a failed bind).
    const unbind = client
      ? client.unbind().catch(() => undefined)
      : socket.writable && !socket.destroyed
        ? new Promise<void>((r) => socket.write(unbindRequest(2), () => r()))
        : undefined;
    if (unbind) await Promise.race([unbind, new Promise((r) => setTimeout(r, Math.min(1000, opts.timeoutMs)).unref())]);
    socket.destroy();
  }
  return { ldap, discovered };
}
