// The facts document: what lib/facts derives from a snapshot, and what profiles are written against.
// Mirrors schemas/facts.schema.json (keep both in step; test/examples.test.ts validates derived facts).
import type { NameMatch } from "../x509/names";
import type { ClientFacts } from "./clients";

export type ServiceKind = "adds" | "adlds" | "unknown";

export interface TargetInfo {
  /** Host name as the snapshot gives it. */
  host: string;
  fqdn: string;
  /** NTDS, ADAM_<instance>, or null when the host's role is unknown (preflight without --store). */
  service: string | null;
  kind: ServiceKind;
  instance: string | null;
  /** The account whose token must read the private key: SYSTEM for AD DS (LSASS), the ADAM service account for AD LDS. */
  serviceAccount: string;
  /** The store the service searches first: NTDS\My or ADAM_<instance>\My. */
  serviceStore: string;
  isGlobalCatalog: boolean | null;
  certSvcInstalled: boolean | null;
  /** Event log of the directory service: "Directory Service" or "ADAM (<instance>)". */
  eventLog: string;
}

export interface CertificateFacts {
  thumbprint: string;
  sha256: string;
  source: "store" | "file" | "network";
  store: string | null;
  /** service = the directory service's own store, machine = LocalMachine\My. */
  storeRole: "service" | "machine" | null;
  friendlyName: string | null;
  subject: string;
  issuer: string;
  serialNumber: string;
  subjectCommonNames: string[];
  san: { dns: string[]; ip: string[]; other: string[] };
  eku: { present: boolean; oids: string[]; names: string[]; serverAuth: boolean; anyPurpose: boolean };
  keyUsage: {
    present: boolean;
    usages: string[];
    /** Usages Schannel needs for this key type that the extension leaves out (empty when absent or complete). */
    missing: string[];
  };
  publicKey: { algorithm: string; bits: number | null; curve: string | null };
  signature: { algorithm: string; hash: string | null; weak: boolean };
  validity: {
    notBefore: string;
    notAfter: string;
    validNow: boolean;
    notYetValid: boolean;
    expired: boolean;
    /** Whole days until notAfter (negative once expired). */
    daysToExpiry: number;
  };
  isCA: boolean;
  selfSigned: boolean;
  /**
   * Extensions that are present but cannot be decoded (or appear twice): evidence, not a parse failure.
   * `affects` lists the facts (pointers within this certificate) derived from the extension; they are
   * set so that nothing passes on them, and a control failing on one errors with `message`.
   */
  extensionErrors: Array<{ oid: string; name: string; message: string; affects: string[] }>;
  name: NameMatch;
  privateKey: {
    /** false when the evidence says nothing about the key (e.g. preflight without --key). */
    known: boolean;
    present: boolean | null;
    matchesCertificate: boolean | null;
    providerName: string | null;
    providerKind: "csp" | "ksp" | null;
    /** Schannel can use keys from CNG KSPs and from RSA CSPs of type 1, 12 or 24. */
    schannelCompatible: boolean | null;
    account: string;
    readable: boolean | null;
    readers: string[];
    strongProtection: boolean | null;
    reason: string;
  };
  chain: {
    source: "windows" | "offline" | "client" | "none";
    trusted: boolean | null;
    status: string[];
    /** `signature` is known for offline chains (lib/x509 built them); Windows' chain elements do not carry it. */
    path: Array<{ subject: string; thumbprint: string; notAfter: string | null; signature?: { algorithm: string; hash: string | null; weak: boolean } }>;
    /** Earliest notAfter among the issuing CAs (leaf excluded). */
    issuersNotAfter: string | null;
    issuersDaysToExpiry: number | null;
    issuerExpiresBeforeLeaf: boolean | null;
    reason: string;
  };
  /** Meets everything Schannel needs (C01-C04, C06, C08; unknown facts do not disqualify). */
  qualifies: boolean;
  disqualifiedBy: Array<{ control: string; reason: string }>;
  /** The certificate the service is predicted to use. */
  predicted: boolean;
  presentedOn: number[];
}

export interface SelectionFacts {
  serviceStore: string;
  storesRead: string[];
  storesMissing: string[];
  candidates: number;
  qualifying: string[];
  effectiveStore: string | null;
  effectiveQualifying: string[];
  predicted: string | null;
  ambiguous: boolean;
  /** One plain sentence on why nothing qualifies (null when something does). */
  rootCause: string | null;
  staleInServiceStore: string[];
  predictedIssuersDaysToExpiry: number | null;
  predictedIssuerExpiresBeforeLeaf: boolean | null;
}

export interface CollectionErrorFacts {
  part: string;
  message: string;
  code?: string;
}

export interface TargetFacts {
  schemaVersion: 1;
  now: string;
  target: TargetInfo;
  certificates: CertificateFacts[];
  selection: SelectionFacts;
  /** Event-log facts (collector issue); null when the snapshot has no event evidence. */
  events: Record<string, unknown> | null;
  /** Registry policy facts (collector issue); null when not collected. */
  config: Record<string, unknown> | null;
  /** What clients see (probe issue); null when not probed. */
  network: Record<string, unknown> | null;
  /** Which clients try LDAPS (and insecure LDAP), and which settings would show more; null without host evidence. */
  clients: ClientFacts | null;
  collectionErrors: CollectionErrorFacts[];
}
