// Network facts (LDAPS-N01..N07). Owned by the probe work; until it lands, none are derived.
import type { Snapshot } from "../snapshot";
import type { CertificateFacts, TargetInfo } from "./types";

export function networkFacts(
  _snapshot: Snapshot,
  _target: TargetInfo,
  _certificates: CertificateFacts[],
  _now: Date,
): Record<string, unknown> | null {
  return null;
}
