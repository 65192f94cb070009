import { existsSync } from "node:fs";
import { join } from "node:path";

/**
 * The package root (holds schemas/ and ps/): from lib/ when run by ts-jest, from dist/lib/ when built, and
 * from test-output/conformance-build/lib/ when the conformance harness is built on its own.
 */
export function packageRoot(): string {
  for (const rel of ["..", "../..", "../../.."]) {
    const candidate = join(__dirname, rel);
    if (existsSync(join(candidate, "schemas", "snapshot.schema.json"))) return candidate;
  }
  throw new Error("ldaps-audit: cannot find the package's schemas/ folder");
}
