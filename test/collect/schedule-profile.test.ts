// schedule install --profile: the task runs as SYSTEM from another folder, at 03:00, with nobody
// watching; a relative path or a missing file must be caught now.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { taskProfile } from "../../lib/collect/schedule";
import { InputError } from "../../lib/errors";
import { expectCleanError, runCli } from "../helpers/cli";

const dir = mkdtempSync(join(tmpdir(), "ldaps-audit-schedule-profile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("a profile file becomes an absolute path; shipped names stay names", () => {
  const file = join(dir, "rel.profile.json");
  writeFileSync(file, "{}");
  expect(taskProfile(relative(process.cwd(), file))).toBe(file);
  expect(taskProfile(`./${relative(process.cwd(), file)}`)).toBe(file);
  expect(taskProfile("hardened")).toBe("hardened");
  expect(taskProfile("baseline")).toBe("baseline");
});

test.each([
  ["a missing file", () => join(dir, "missing.json"), /no such file, and not a shipped profile/],
  ["a directory", () => dir, /not a file/],
])("%s is refused", (_what, profile, message) => {
  expect(() => taskProfile(profile())).toThrow(InputError);
  expect(() => taskProfile(profile())).toThrow(message);
});

test("the CLI refuses a missing --profile before touching PowerShell (exit 2)", () => {
  expectCleanError(runCli(["schedule", "install", "--report-dir", dir, "--profile", "./no-such.profile.json", "--powershell", join(dir, "no-pwsh")]), 2, /--profile \.\/no-such\.profile\.json: no such file/);
});
