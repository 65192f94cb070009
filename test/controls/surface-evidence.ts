// Facts fragments for the TLS-surface controls (LDAPS-N10..N12), derived by lib/facts/tlsSurface.ts from
// small snapshots, so each table row goes through the same facts code as a real evaluation.
import { tlsSurfaceFacts } from "../../lib/facts/tlsSurface";
import type { CipherEvidence, EndpointEvidence, SchannelEvidence, Snapshot, VersionCipherEvidence } from "../../lib/snapshot";

type Versions = NonNullable<EndpointEvidence["versions"]>;

export const version = (accepted: string[], rest: Partial<VersionCipherEvidence> = {}): VersionCipherEvidence => ({
  accepted,
  refused: [],
  untestable: [],
  notTested: [],
  stopped: null,
  ...rest,
});

export function ldapsEndpoint(versions: Versions, ciphers?: CipherEvidence["versions"], port = 636): EndpointEvidence {
  return {
    host: "dc1.corp.example.test",
    port,
    mode: "ldaps",
    purpose: "ldap",
    failure: null,
    tls: { protocol: "TLSv1.2", cipher: null, chain: [], authorized: true, authorizationError: null, hostnameMatches: true },
    versions,
    ...(ciphers ? { ciphers: { handshakes: 3, maxHandshakes: 64, library: "OpenSSL 3.0.19", versions: ciphers } } : {}),
  };
}

/** The tlsSurface facts of a snapshot with these endpoints and this SCHANNEL evidence (either may be absent). */
export function surface(opts: { endpoints?: EndpointEvidence[]; schannel?: SchannelEvidence; osVersion?: string }): { tlsSurface: unknown } {
  const snapshot = {
    schemaVersion: 1,
    host: { fqdn: "dc1.corp.example.test", osVersion: opts.osVersion ?? "10.0.20348" },
    ...(opts.schannel ? { registry: { schannel: opts.schannel } } : {}),
    ...(opts.endpoints ? { network: { endpoints: opts.endpoints } } : {}),
  } as unknown as Snapshot;
  return { tlsSurface: tlsSurfaceFacts(snapshot) };
}

export const MODERN: Versions = { TLSv1: false, "TLSv1.1": false, "TLSv1.2": true, "TLSv1.3": true };
