import { readFileSync } from "node:fs";
import { join } from "node:path";

let cached: string | undefined;

/** The package version, read once from package.json next to lib/ or dist/lib/. */
export function toolVersion(): string {
  if (cached) return cached;
  for (const rel of ["..", "../.."]) {
    try {
      cached = JSON.parse(readFileSync(join(__dirname, rel, "package.json"), "utf8")).version as string;
      return cached;
    } catch {
      /* try the next level */
    }
  }
  return (cached = "0.0.0");
}
