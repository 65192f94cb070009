// TypeScript view of schemas/snapshot.schema.json (raw evidence for one host).
// Validation happens against the schema (lib/schemas.ts); these types only describe what passed it.

export interface CollectionError {
  part: string;
  message: string;
  code?: string;
  exceptionType?: string;
}

export interface AccessRule {
  identity: string;
  sid?: string | null;
  rights: string | number;
  type: "Allow" | "Deny";
  inherited?: boolean;
}

export interface PrivateKeyEvidence {
  present: boolean;
  matchesCertificate?: boolean | null;
  providerName?: string | null;
  providerType?: number | null;
  providerKind?: "csp" | "ksp" | null;
  containerName?: string | null;
  uniqueName?: string | null;
  keySpec?: number | null;
  keyFilePath?: string | null;
  acl?: AccessRule[] | null;
  strongProtection?: boolean | null;
  exportable?: boolean | null;
  error?: string | null;
}

export interface ChainEvidence {
  built: boolean;
  policy?: string;
  revocationMode?: string;
  status?: Array<{ status: string; information?: string }>;
  elements?: Array<{ thumbprint: string; subject?: string; notAfter?: string; der?: string }>;
}

export interface StoreCertificate {
  der?: string;
  registryBlob?: string;
  thumbprint?: string;
  friendlyName?: string | null;
  privateKey?: PrivateKeyEvidence;
  chain?: ChainEvidence;
}

export interface Store {
  name: string;
  certificates: StoreCertificate[];
  error?: CollectionError;
}

export interface AdldsInstance {
  name: string;
  serviceName?: string;
  serviceAccount?: string | null;
  serviceAccountSid?: string | null;
  ldapPort?: number | null;
  sslPort?: number | null;
  state?: string | null;
}

export interface HostEvidence {
  fqdn: string;
  computerName?: string;
  domain?: string | null;
  forest?: string | null;
  domainRole?: number | null;
  isDomainController?: boolean | null;
  isGlobalCatalog?: boolean | null;
  osVersion?: string | null;
  osCaption?: string | null;
  certSvcInstalled?: boolean | null;
  adldsInstances?: AdldsInstance[];
}

export interface LdapPolicy {
  LDAPServerIntegrity?: number | null;
  LDAPServerEnforceIntegrity?: number | null;
  LdapEnforceChannelBinding?: number | null;
  ldapInterfaceEventsLevel?: number | null;
}

export interface EventSummary {
  log: string;
  service?: string | null;
  provider?: string | null;
  id: number;
  count: number;
  first?: string | null;
  last?: string | null;
  errorCodes?: Record<string, number>;
  insecureSimpleBinds?: number | null;
  unsignedSaslBinds?: number | null;
  /** 3040 [0], summed (field position unverified). */
  unprotectedBinds?: number | null;
}

export interface InsecureBindClient {
  service?: string | null;
  ip: string;
  port?: number | null;
  identity: string;
  bindType: "simple" | "unsigned-sasl" | "other";
  bindTypeCode?: number | null;
  count: number;
  first?: string | null;
  last?: string | null;
}

/** 3039 (failed) and audit 3074/3075 (would fail) channel-binding validation, per client (ps/functions/Events.ps1). */
export interface ChannelBindingClient {
  service?: string | null;
  eventId: 3039 | 3074 | 3075;
  ip: string;
  port?: number | null;
  identity: string;
  count: number;
  first?: string | null;
  last?: string | null;
}

export interface EventsEvidence {
  windowStart: string;
  windowEnd: string;
  maxEvents?: number;
  truncated?: boolean;
  logs?: Array<{ log: string; service?: string | null; available: boolean; error?: string | null }>;
  summary?: EventSummary[];
  insecureBindClients?: InsecureBindClient[];
  channelBindingClients?: ChannelBindingClient[];
  clientCap?: number;
  clientsDropped?: Array<{ service?: string | null; eventId: number; events: number }>;
}

export interface ProbeFailure {
  kind: "dns" | "refused" | "timeout" | "reset" | "tls-alert" | "tls-verify" | "starttls-refused" | "protocol" | "other";
  stage?: "dns" | "tcp" | "tls" | "starttls" | "ldap" | null;
  message: string;
  code?: string | null;
}

/** How the server answered one bind of an enforcement check (lib/probe/enforcement.ts); error = no LDAP answer. */
export interface BindAnswer {
  resultCode: number | null;
  diagnosticMessage: string | null;
  error: string | null;
}

/**
 * The on-the-wire enforcement checks, made without credentials (probe --enforcement): a simple bind with a
 * throw-away name on plain LDAP (signing), and NTLM binds over LDAPS without and with a wrong channel-binding
 * token (channel binding, the LdapRelayScan method). Raw answers only; lib/facts reads them.
 */
export interface EnforcementEvidence {
  signing: { port: number; answer: BindAnswer } | null;
  channelBinding: { port: number; withoutToken: BindAnswer; wrongToken: BindAnswer | null } | null;
}

/** One version's cipher-suite enumeration: every catalogue suite (lib/cipher-suites.ts) lands in exactly one list. */
export interface VersionCipherEvidence {
  /** In the order the server picked them (its preference). */
  accepted: string[];
  refused: string[];
  /** The prober's TLS library cannot offer these: unknown, never "refused". */
  untestable: string[];
  /** Not asked: the handshake cap or the deadline was reached, or a handshake failed for another reason. */
  notTested: string[];
  /** Why the enumeration stopped early (null: complete). */
  stopped: string | null;
}

export interface CipherEvidence {
  handshakes: number;
  maxHandshakes: number;
  library?: string;
  versions: Partial<Record<"TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3", VersionCipherEvidence>>;
}

/** SCHANNEL registry values as read; null = the value is absent (the Windows default applies). */
export interface SchannelEvidence {
  EventLogging?: number | null;
  /** Protocols\<name>\Server, keyed by the registry's key name ("TLS 1.2"). */
  protocols?: Record<string, { Enabled?: number | null; DisabledByDefault?: number | null }>;
  ciphers?: Record<string, { Enabled?: number | null }>;
  hashes?: Record<string, { Enabled?: number | null }>;
  keyExchangeAlgorithms?: Record<string, { Enabled?: number | null }>;
  /** Policies\...\SSL\00010002 Functions, in order; null = no policy. */
  cipherSuitePolicy?: string[] | null;
}

export interface EndpointEvidence {
  host: string;
  address?: string | null;
  port: number;
  mode: "ldaps" | "starttls";
  purpose?: "ldap" | "gc" | null;
  servername?: string | null;
  durationMs?: number;
  failure?: ProbeFailure | null;
  tls?: {
    protocol?: string | null;
    cipher?: string | null;
    chain?: string[];
    authorized?: boolean;
    authorizationError?: string | null;
    hostnameMatches?: boolean | null;
  } | null;
  versions?: Partial<Record<"TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3", boolean | null>> | null;
  /** probe --ciphers (lib/probe/ciphers.ts): suites per accepted version, IANA names. */
  ciphers?: CipherEvidence | null;
  ldap?: {
    rootDse?: {
      dnsHostName?: string | null;
      isGlobalCatalogReady?: boolean | null;
      supportedLDAPVersion?: string[];
      defaultNamingContext?: string | null;
      vendorName?: string | null;
    } | null;
    rootDseError?: string | null;
    bind?: { attempted: boolean; dn?: string | null; ok?: boolean | null; error?: string | null; skippedReason?: string | null } | null;
  } | null;
}

export interface ClientConnection {
  remoteAddress: string;
  localPort: number;
  /** Established, SynReceived (a half-open attempt), TimeWait, CloseWait, ... */
  state: string;
  count: number;
  owningProcesses?: number[];
}

export interface FirewallLogSource {
  ip: string;
  count: number;
  allow?: number;
  drop?: number;
  /** Destination port -> rows. */
  ports?: Record<string, number>;
  first?: string | null;
  last?: string | null;
}

export interface FirewallLogFile {
  path: string;
  available: boolean;
  error?: string | null;
  bytes?: number;
  lines?: number;
  matched?: number;
  outsideWindow?: number;
  outbound?: number;
  malformed?: number;
  untracked?: number;
  timeFormat?: "Local" | "UTC";
  headerFound?: boolean;
}

/** Which clients try LDAPS on the host: connection table, firewall log, reverse DNS (collector). */
export interface ClientsEvidence {
  ports?: number[];
  windowStart?: string;
  windowEnd?: string;
  connections?: { available: boolean; error?: string | null; total?: number; truncated?: boolean; entries?: ClientConnection[] };
  firewallLog?: {
    enabled?: boolean | null;
    logAllowed?: boolean | null;
    logBlocked?: boolean | null;
    profiles?: Array<{ name: string; enabled?: boolean; logAllowed?: boolean; logBlocked?: boolean; logFileName?: string | null }>;
    path?: string | null;
    available: boolean;
    error?: string | null;
    files?: FirewallLogFile[];
    truncated?: boolean;
    sourcesTotal?: number;
    sources?: FirewallLogSource[];
  };
  names?: Array<{ ip: string; name: string | null; error?: string | null }>;
  namesTruncated?: boolean;
}

export interface Snapshot {
  $schema?: string;
  schemaVersion: 1;
  collectedAt?: string;
  collector?: { name: string; version?: string; psVersion?: string; psEdition?: string; synthetic?: boolean; note?: string };
  host: HostEvidence;
  stores?: Store[];
  trustAnchors?: string[];
  intermediates?: string[];
  registry?: { ntds?: LdapPolicy; adlds?: Record<string, LdapPolicy>; schannel?: SchannelEvidence };
  events?: EventsEvidence;
  network?: { probedAt?: string; prober?: string; endpoints: EndpointEvidence[]; enforcement?: EnforcementEvidence };
  clients?: ClientsEvidence;
  errors?: CollectionError[];
}
