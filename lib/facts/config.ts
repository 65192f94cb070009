// Registry policy facts (LDAPS-G01..G03). Owned by the collector work; until it lands, none are derived.
import type { Snapshot } from "../snapshot";
import type { TargetInfo } from "./types";

export function configFacts(_snapshot: Snapshot, _target: TargetInfo): Record<string, unknown> | null {
  return null;
}
