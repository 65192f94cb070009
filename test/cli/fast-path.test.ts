// lib/cli/fast-path.ts against yargs: for every command line the fast path takes, the handler gets the very
// arguments yargs would give it; every line it is unsure of is left to yargs. Both run here in-process over
// a table (the lines the bench, README and scheduled tasks run, and the shapes yargs reads differently) and
// over command lines fast-check builds from each command's own options.
import fc from "fast-check";
import type { CommandModule } from "yargs";
import { commands } from "../../lib/cli/commands";
import { evaluateSpec } from "../../lib/cli/commands/evaluate";
import { probeSpec } from "../../lib/cli/commands/probe";
import { CommandSpec, fastArgs } from "../../lib/cli/fast-path";
import { newParser } from "../../lib/cli/main";

const SPECS: Record<string, CommandSpec> = { evaluate: evaluateSpec, probe: probeSpec };

/** What yargs gives the command's handler for `argv` ($0 aside), or the error it reports. */
async function viaYargs(argv: string[]): Promise<{ args?: Record<string, unknown>; error?: string }> {
  let captured: Record<string, unknown> | undefined;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const recording = commands.map((c): CommandModule<any, any> => ({ ...c, handler: (a: Record<string, unknown>) => void (captured = a) }));
  try {
    await newParser(argv, recording).parseAsync();
  } catch (e) {
    return { error: (e as Error).message };
  }
  if (!captured) return { error: "no handler ran" };
  const { $0: _, ...args } = captured;
  return { args };
}

const fleet = Array.from({ length: 5 }, (_, i) => `fleet/host-${i}.snapshot.json`);
const endpoints = Array.from({ length: 5 }, (_, i) => `127.0.0.1:${40001 + i}`);

// [command line, whether the fast path takes it]
const LINES: Array<[string[], boolean]> = [
  // What the bench, the README and scheduled tasks run.
  [["evaluate", "examples/healthy-dc.snapshot.json"], true],
  [["evaluate", ...fleet, "--now", "2026-11-24T00:00:00Z", "-o", "report.json"], true],
  [["evaluate", "dc1.json", "--profile", "hardened", "--format", "json", "-o", "report.json"], true],
  [["evaluate", "dc1.json", "--waivers", "waivers.yaml", "--now", "2026-12-01"], true],
  [["evaluate", "dc1.json", "--probe", "dc1.probe.json"], true],
  [["probe", ...endpoints, "--ca", "ca.pem", "--servername", "dc1.example.test", "--format", "json"], true],
  [["probe", ...endpoints, "--ca", "ca.pem", "--servername", "dc1.example.test", "--format", "json", "--no-versions"], true],
  [["probe", "dc1.example.test", "--ca", "root.pem"], true],
  [["probe", "--domain", "example.test", "--bind-dn", "audit@example.test", "--password-env", "LDAP_PW", "--ca", "root.pem", "-o", "out/"], true],
  [["probe", "10.0.0.5:636", "--servername", "dc1.example.test", "--format", "text"], true],
  [["probe", "dc1.example.test", "--ca", "root.pem", "--ciphers"], true],
  // Other plain forms.
  [["evaluate", "a.json", "--format=html", "--output-html", "r.html", "-v"], true],
  [["evaluate", "a.json", "--compact"], true],
  [["evaluate", "a.json", "--no-compact", "--verbose"], true],
  [["evaluate", "a.json", "--workers", "off"], true],
  [["probe", "h", "--timeout", "5000", "--concurrency", "4", "--no-versions", "--enforcement"], true],
  [["probe", "h", "--dns-server", "127.0.0.1:53", "--ports", "636,389"], true],
  // Left to yargs: its errors, and lines it reads in ways the fast path does not model.
  [["evaluate"], false],
  [["evaluate", "a.json", "--format", "xml"], false],
  [["evaluate", "a.json", "--now"], false],
  [["evaluate", "a.json", "--bogus"], false],
  [["evaluate", "a.json", "--help"], false],
  [["evaluate", "a.json", "--verbose", "false"], false],
  [["evaluate", "a.json", "--compact=false"], false],
  [["evaluate", "a.json", "-o", "-"], false],
  [["evaluate", "--", "a.json"], false],
  [["evaluate", "a.json", "--now", "1", "--now", "2"], false],
  [["evaluate", "a.json", "--probe", "p.json", "b.json"], false],
  [["evaluate", "a.json", "--workers", "2"], false],
  [["evaluate", "a.json", "--outputHtml", "r.html"], false],
  [["evaluate", "a.json", "-vo", "r.json"], false],
  [["evaluate", "2026"], false],
  [["probe"], false],
  [["probe", "h", "--timeout", "50"], false],
  [["probe", "h", "--timeout", "1e4"], false],
  [["probe", "h", "--concurrency", "0"], false],
  [["probe", "h", "--ciphers", "--no-versions"], false],
  [["probe", "h", "--ca", "a.pem", "b.pem"], false],
  [["probe", "h", "--bind-dn", "cn=x"], false],
  [["probe", "636"], false],
  // Names of Object.prototype's members are unknown options like any other (yargs' strict mode refuses them).
  [["evaluate", "a.json", "--constructor", "x"], false],
  [["evaluate", "a.json", "--__proto__", "x"], false],
  [["evaluate", "a.json", "--toString"], false],
  [["evaluate", "a.json", "--no-constructor"], false],
  [["probe", "h", "--hasOwnProperty", "x"], false],
];

test.each(LINES)("%j: fast path takes it: %s; when it does, yargs gives the same arguments", async (argv, taken) => {
  const fast = fastArgs(argv, SPECS[argv[0]]);
  expect(fast !== undefined).toBe(taken);
  if (fast) expect(fast).toEqual((await viaYargs(argv)).args);
});

test("a check that returns false or a message refuses the line, as yargs' .check does", () => {
  for (const verdict of [false, "a message", undefined, 0]) {
    expect(fastArgs(["evaluate", "a.json"], { ...evaluateSpec, check: () => verdict })).toBeUndefined();
  }
  expect(fastArgs(["evaluate", "a.json"], { ...evaluateSpec, check: () => true })).toBeDefined();
});

/** Tokens for command lines of `spec`: its options in every spelling, values of every kind, and noise. */
function tokens(spec: CommandSpec): string[] {
  const out: string[] = [];
  for (const [name, o] of Object.entries(spec.options)) {
    out.push(`--${name}`);
    if (o.type === "boolean") out.push(`--no-${name}`);
    if (typeof o.alias === "string") out.push(`-${o.alias}`);
    out.push(`--${name}=a.json`, `--${name}=json`, `--${name}=`, `--${name}=-1`, `--${name}=5000`);
  }
  return [
    ...out,
    ...["a.json", "b.json", "json", "text", "html", "hardened", "2026-11-24T00:00:00Z", "5000", "0", "-1", "-", "--", "true", "false"],
    ...["127.0.0.1:636", "dc1.example.test", "x=y", "1e3", "0x1F", "", "--bogus", "-x", "-vo", "--help", "--version", "--no-bogus"],
    ...["--constructor", "--__proto__", "--toString", "--valueOf", "--no-constructor", "--hasOwnProperty=x"],
  ];
}

test.each(Object.keys(SPECS))("%s: every generated line the fast path takes gives yargs' arguments (fast-check)", async (name) => {
  const spec = SPECS[name];
  let taken = 0;
  await fc.assert(
    // Half the lines start with a target, as most real ones do (else probe's own check refuses most of them).
    fc.asyncProperty(fc.boolean(), fc.array(fc.constantFrom(...tokens(spec)), { maxLength: 8 }), async (target, rest) => {
      const argv = [name, ...(target ? ["dc1.json"] : []), ...rest];
      const fast = fastArgs(argv, spec);
      if (!fast) return;
      taken++;
      const yargs = await viaYargs(argv);
      expect({ argv, args: fast }).toEqual({ argv, args: yargs.args });
    }),
    { numRuns: 1000 },
  );
  // The property is about something: lines are taken (about 1 in 8 of them, ~125 of 1,000, 10 per standard
  // deviation: this bound is 9 below that).
  expect(taken).toBeGreaterThan(30);
});
