// Options and results of the network probe (lib/probe). Results are snapshot `network` evidence
// (schemas/snapshot.schema.json $defs/Endpoint), so a probe run feeds the same facts -> profile pipeline.
import type { EndpointEvidence, ProbeFailure } from "../snapshot";

export type TlsVersion = "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";
export const TLS_VERSIONS: TlsVersion[] = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

export interface Credentials {
  /** DN or UPN (user@domain) for a simple bind. */
  dn: string;
  password: string;
}

export interface ProbeOptions {
  /**
   * Deadline per endpoint in milliseconds (default 10000): DNS, TCP, StartTLS, TLS and LDAP of the main
   * connection and the TLS version probes all share it.
   */
  timeoutMs?: number;
  /** Milliseconds clock the deadline is measured with (tests inject one); default Date.now. */
  clock?: () => number;
  /** Trusted CA certificates (PEM or DER). Absent: Node's root store (plus NODE_EXTRA_CA_CERTS). */
  ca?: Array<string | Buffer>;
  /** SNI and the name the certificate must carry (default: the host when it is a name; none for IP addresses). */
  servername?: string;
  credentials?: Credentials;
  /** Bind even when the chain or the name did not verify (credentials may then reach an impostor). */
  insecure?: boolean;
  /** Probe TLS 1.0/1.1/1.2/1.3 one at a time on every endpoint that completed a handshake (default true). */
  versions?: boolean;
  /** After a successful bind, list the DCs in OU=Domain Controllers (for --domain discovery). */
  discoverDomainControllers?: boolean;
  /**
   * Also check on the wire whether LDAP signing (389) and LDAPS channel binding (636) are enforced, with
   * throw-away binds (lib/probe/enforcement.ts). Opt-in: each check is a failed logon on the DC.
   */
  enforcement?: boolean;
  /**
   * Enumerate the cipher suites each accepted TLS version takes (lib/probe/ciphers.ts). Opt-in: it costs the
   * server up to `maxCipherHandshakes` handshakes per endpoint. Needs the version probe (versions not false).
   */
  ciphers?: boolean;
  /** Cap on cipher-enumeration handshakes per endpoint (default 64). */
  maxCipherHandshakes?: number;
  /** Resolver used for host names (tests point it at loopback); default: the OS resolver (getaddrinfo). */
  dnsServers?: string[];
}

export interface EndpointSpec {
  host: string;
  port: number;
  mode: "ldaps" | "starttls";
  purpose: "ldap" | "gc";
}

export interface EndpointResult {
  evidence: EndpointEvidence;
  /** dNSHostName values read from OU=Domain Controllers (only with discoverDomainControllers and a bind). */
  discovered?: string[];
}

export type { EndpointEvidence, ProbeFailure };
