// LDAP over an established TLS socket (ldapts drives the socket we hand it): anonymous rootDSE read,
// optional simple bind, optional listing of OU=Domain Controllers. Credentials are sent only when the
// caller says the connection verified (or --insecure); passwords are never recorded or logged.
import { isIP } from "node:net";
import type { TLSSocket } from "node:tls";
import type { EndpointEvidence } from "../snapshot";
import type { Credentials } from "./types";

type LdapEvidence = NonNullable<EndpointEvidence["ldap"]>;

const ROOT_DSE_ATTRIBUTES = ["dnsHostName", "isGlobalCatalogReady", "supportedLDAPVersion", "defaultNamingContext", "vendorName"];

function first(v: unknown): string | null {
  if (Array.isArray(v)) return v.length ? String(v[0]) : null;
  if (v === undefined || v === null || v === "") return null;
  return Buffer.isBuffer(v) ? v.toString("utf8") : String(v);
}

function all(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => (Buffer.isBuffer(x) ? x.toString("utf8") : String(x)));
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

export async function ldapOverTls(socket: TLSSocket, opts: LdapStepOptions): Promise<{ ldap: LdapEvidence; discovered?: string[] }> {
  const { Client } = await import("ldapts");
  const host = isIP(opts.host) === 6 ? `[${opts.host}]` : opts.host;
  const client = new Client({
    url: `ldap://${host}:${opts.port}`,
    timeout: opts.timeoutMs,
    // The connection already exists (and is already TLS): hand ldapts our socket.
    createConnection: (() => socket) as never,
  });
  const ldap: LdapEvidence = { rootDse: null, rootDseError: null, bind: null };
  let discovered: string[] | undefined;
  try {
    try {
      const res = await client.search("", { scope: "base", filter: "(objectClass=*)", attributes: ROOT_DSE_ATTRIBUTES });
      const e = (res.searchEntries[0] ?? {}) as Record<string, unknown>;
      const pick = (name: string) => e[Object.keys(e).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name];
      const gc = first(pick("isGlobalCatalogReady"));
      ldap.rootDse = {
        dnsHostName: first(pick("dnsHostName")),
        isGlobalCatalogReady: gc === null ? null : gc.toUpperCase() === "TRUE",
        supportedLDAPVersion: all(pick("supportedLDAPVersion")),
        defaultNamingContext: first(pick("defaultNamingContext")),
        vendorName: first(pick("vendorName")),
      };
    } catch (e) {
      ldap.rootDseError = ldapErrorMessage(e);
    }
    if (opts.credentials) {
      const dn = opts.credentials.dn;
      if (opts.bindBlockedReason) {
        ldap.bind = { attempted: false, dn, ok: null, error: null, skippedReason: opts.bindBlockedReason };
      } else if (!socket.writable) {
        ldap.bind = { attempted: false, dn, ok: null, error: null, skippedReason: "the connection closed before the bind" };
      } else {
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
    // Unbind politely but never wait on it for long; then make sure the socket is gone (ldapts keeps a
    // socket open after a failed bind).
    await Promise.race([client.unbind().catch(() => undefined), new Promise((r) => setTimeout(r, Math.min(1000, opts.timeoutMs)).unref())]);
    socket.destroy();
  }
  return { ldap, discovered };
}
