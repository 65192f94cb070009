// Command-line entry: parses arguments with yargs and calls library functions. No audit logic here.
// Each command lives in lib/cli/commands/<name>.ts and loads its heavy modules inside the handler,
// so `--version` and `--help` stay fast. The plain command lines of `evaluate` and `probe` skip yargs
// altogether (lib/cli/fast-path.ts); everything else, help and every mistake included, goes through it.
import type { Argv, CommandModule } from "yargs";
import { EXIT, InputError, RuntimeFailure } from "../errors";
import { guardStandardStreams } from "../output/stdio";
import type { CommandSpec } from "./fast-path";
import { toolVersion } from "../version";
import { stderrBlock, stderrLine } from "../terminal";

type Handler = (args: Record<string, unknown>) => unknown;

/** The commands the fast path may take, each loaded only when it is the one named. */
const FAST_COMMANDS: Record<string, () => { spec: CommandSpec; handler: Handler }> = {
  evaluate: () => {
    const m = require("./commands/evaluate") as typeof import("./commands/evaluate");
    return { spec: m.evaluateSpec, handler: m.evaluateCommand.handler as unknown as Handler };
  },
  probe: () => {
    const m = require("./commands/probe") as typeof import("./commands/probe");
    return { spec: m.probeSpec, handler: m.probeCommand.handler as unknown as Handler };
  },
};

export async function main(argv: string[]): Promise<number> {
  // Before anything is printed (help and version included): a reader that goes away ends output quietly.
  guardStandardStreams();
  try {
    const fast = fastCommand(argv);
    if (fast) {
      await fast.handler(fast.args);
      return typeof fast.args.exitCode === "number" ? fast.args.exitCode : EXIT.compliant;
    }
    const { commands } = require("./commands") as typeof import("./commands");
    const result = await newParser(argv, commands).parseAsync();
    const code = (result as { exitCode?: number }).exitCode;
    return typeof code === "number" ? code : EXIT.compliant;
  } catch (e) {
    const code = reportError(e);
    // A Nagios/Icinga check reads stdout and the exit code: bad arguments or input are UNKNOWN (3).
    if (wantsNagios(argv)) {
      const { unknownResult } = await import("../report/nagios");
      const { emit } = await import("./output");
      // nagiosText (in unknownResult) shows any line break or control character in the message as \xNN.
      const result = unknownResult(e instanceof Error ? e.message : String(e));
      emit(result.output);
      return result.exitCode;
    }
    return code;
  }
}

/** The handler and its arguments when `argv` is a plain line of a fast command (lib/cli/fast-path.ts), else undefined. */
function fastCommand(argv: string[]): { handler: Handler; args: Record<string, unknown> } | undefined {
  if (!argv.length || !Object.prototype.hasOwnProperty.call(FAST_COMMANDS, argv[0])) return undefined;
  const { spec, handler } = FAST_COMMANDS[argv[0]]();
  const { fastArgs } = require("./fast-path") as typeof import("./fast-path");
  const args = fastArgs(argv, spec);
  return args && { handler, args: { ...args, $0: "ldaps-audit" } };
}

/** The yargs parser of the whole CLI over `argv`, with `commands` (test/cli/fast-path.test.ts builds one with recording handlers). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function newParser(argv: string[], commands: Array<CommandModule<any, any>>): Argv {
  const yargs = require("yargs") as typeof import("yargs");
  const parser = yargs(argv)
    .scriptName("ldaps-audit")
    .usage(
      "ldaps-audit: does LDAP over TLS work on this domain controller, and will it keep working?\n\n" +
        "Gathers certificate, key, event and network evidence, evaluates it against a compliance\n" +
        "profile written in JSON Schema, and explains the root cause (e.g. of Directory Service event 1220).\n\n" +
        "Usage: $0 <command> [options]",
    )
    .epilogue(
      "Exit codes: 0 compliant (warnings allowed), 1 non-compliant, 2 usage or bad input, 3 runtime failure.\n" +
        "First run: ldaps-audit evaluate examples/healthy-dc.snapshot.json",
    )
    .version(toolVersion())
    .strict()
    .demandCommand(1, "Name a command; see the list above.")
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      // yargs spreads some messages over several lines; a pipeline log wants one. (Line breaks that come
      // from the user's input are not yargs' own: lib/terminal.ts shows those as \x0a.)
      throw new InputError(msg.replace(/[ \t]*\n[ \t]*/g, " ").trim());
    })
    .exitProcess(false);
  skipHelpCaching(parser);
  for (const c of commands) parser.command(c);
  return parser;
}

/**
 * yargs 17 renders a command's whole help text right after calling its handler (usage.cacheHelpMessage), in
 * case the handler calls showHelp later. No handler here shows help, and that rendering (cliui, a string
 * width for every option) was ~25 ms of every cold run (issue 17). --help and usage errors render help as
 * before, when it is asked for (test/startup.test.ts records when help is rendered).
 */
function skipHelpCaching(parser: Argv): void {
  type Internal = { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: unknown } } };
  const usage = (parser as unknown as Internal).getInternalMethods?.().getUsageInstance?.();
  // A yargs without this internal (another major) simply keeps rendering it: slower, never wrong.
  if (usage && typeof usage.cacheHelpMessage === "function") usage.cacheHelpMessage = () => {};
}

/** True when the command line asks for --format nagios (read from argv: a usage error comes before parsed arguments). */
function wantsNagios(argv: string[]): boolean {
  return argv.some((a, i) => a === "--format=nagios" || (a === "--format" && argv[i + 1] === "nagios"));
}

/** One line on stderr, never a stack trace (set LDAPS_AUDIT_DEBUG=1 for one). */
export function reportError(e: unknown): number {
  const debug = process.env.LDAPS_AUDIT_DEBUG === "1";
  const msg = e instanceof Error ? e.message : String(e);
  const known = e instanceof InputError || e instanceof RuntimeFailure;
  stderrLine(known ? msg : `internal error: ${msg}`);
  if (debug && e instanceof Error && e.stack) {
    // A stack begins with the message, which may carry untrusted line breaks: only the frames are lines.
    const head = `${e.name}: ${e.message}`;
    stderrBlock(e.stack.startsWith(head) ? [head, ...e.stack.slice(head.length).split("\n").filter(Boolean)] : e.stack.split("\n"));
  }
  return e instanceof InputError ? EXIT.usage : EXIT.runtime;
}
