// The facts document's types: generated from its JSON Schemas (schemas/facts.schema.json and
// schemas/facts/*.schema.json) into schema-types.generated.ts by scripts/schema-types.js, so the schema is
// the one source and the two cannot drift (test/schema-types.test.ts). This module only names the parts.
import type * as Generated from "./schema-types.generated";

export type { TargetFacts, TargetInfo, CertificateFacts, SignatureFacts, SelectionFacts, EndpointFacts, EventCount as EventCountFacts } from "./schema-types.generated";

export type ServiceKind = Generated.TargetInfo["kind"];
/** Leaf first, then each issuer up to the root as far as the chain was built. */
export type ChainElementFacts = Generated.CertificateFacts["chain"]["path"][number];
/** What KB321051 says Schannel needs before the directory service will use a certificate (lib/facts/schannel.ts). */
export type SchannelFacts = Generated.CertificateFacts["schannel"];
export type CollectionErrorFacts = Generated.TargetFacts["collectionErrors"][number];

/** Event-log facts; the facts document holds null when the snapshot has no event evidence. */
export type EventFacts = NonNullable<Generated.EventFacts>;
/** Registry policy facts; null in the facts document when not collected. */
export type ConfigFacts = NonNullable<Generated.ConfigFacts>;
/** What clients saw on the wire; null in the facts document when not probed. */
export type NetworkFacts = NonNullable<Generated.NetworkFacts>;
/** Which clients try LDAPS, and which settings would show more; null without host evidence. */
export type ClientFacts = NonNullable<Generated.ClientFacts>;
export type ClientRow = ClientFacts["clients"][number];
export type ClientEvidenceKind = ClientRow["evidence"][number];
export type ClientSourceState = ClientFacts["sources"]["connectionTable"];
export type MissingEvidence = ClientFacts["missingEvidence"][number];
/** Before you enforce signing / channel binding: which clients break (clients.readiness). */
export type ReadinessFacts = Generated.ReadinessFacts;
export type ReadinessVerdict = Generated.ReadinessVerdict;
export type BreakingClient = ReadinessVerdict["breakingClients"][number];
