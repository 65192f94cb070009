// Event-log facts (LDAPS-E01..E05). Owned by the collector work; until it lands, no event facts are derived.
import type { Snapshot } from "../snapshot";
import type { TargetInfo } from "./types";

export function eventFacts(_snapshot: Snapshot, _target: TargetInfo, _now: Date): Record<string, unknown> | null {
  return null;
}
