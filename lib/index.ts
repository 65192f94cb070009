// Public API: what a program gets from `import ... from "ldaps-audit"`.
export { evaluateFiles, evaluateSnapshots, evaluateSnapshot, readSnapshot } from "./audit";
export type { AuditOptions, SnapshotInput } from "./audit";
export { deriveFacts, targetsOf } from "./facts";
export type { TargetFacts, CertificateFacts, SelectionFacts } from "./facts/types";
export { loadProfile } from "./profile/load";
export type { LoadedProfile, Control, ControlMetadata } from "./profile/load";
export { evaluateTarget, evaluateControl } from "./profile/evaluate";
export type { ControlResult, Status } from "./profile/evaluate";
export { buildReport, isCompliant } from "./report/build";
export { renderText } from "./report/text";
export type { Report, ReportTarget } from "./report/types";
export { parseCertificate } from "./x509/certificate";
export { parseRegistryBlob } from "./x509/blob";
export { matchFqdn } from "./x509/names";
export { buildChain } from "./x509/chain";
export type { Snapshot } from "./snapshot";
export { preflight } from "./import/preflight";
export { InputError, RuntimeFailure, EXIT } from "./errors";
