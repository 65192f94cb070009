// The command lines that scheduled tasks and pipelines run all day (`evaluate dc1.json`, `probe dc1 --ca
// root.pem --no-versions -o out/`), parsed without loading yargs, which was ~80 ms of a ~270 ms cold
// `evaluate` (its modules, then laying out the command's help while parsing; issue 17).
//
// The fast path reads the very declarations yargs gets (a command's CommandSpec, e.g. evaluateSpec, which
// its yargs builder passes to .positional/.options/.check), and takes only a command line whose meaning is
// plain: known long options or their one-letter aliases, each at most once; `--no-x` for a boolean x;
// values that do not start with "-"; no "--"; no boolean followed by "true"/"false"; nothing yargs would
// read as a number. Anything else (help, a typo, a repeated option, a value yargs would coerce, an array
// option followed by more values) returns undefined, and yargs parses the line as before, with its
// messages. test/cli/fast-path.test.ts proves the handler gets yargs' very arguments for every line the
// fast path takes (a table, and fast-check lines built from each command's options), and that it takes
// the lines the bench and the README run.
import type { Options, PositionalOptions } from "yargs";

/** One command's arguments, as data: what its yargs builder declares and what the fast path reads. */
export interface CommandSpec {
  /** The command's name (first word of its yargs `command`). */
  name: string;
  /** Its positional argument, if any (declared in `command` as `<name...>` or `[name...]`). */
  positional?: { name: string; spec: PositionalOptions & { array: true } };
  /** Its options, in the order --help lists them. */
  options: Record<string, Options>;
  /** The command's own cross-option check (yargs `.check`): the fast path declines a line it refuses. */
  check?: (args: never) => unknown;
}

/** What yargs-parser reads as a number (then a string positional would not be the string typed). */
const NUMBER_LIKE = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?$|^0x[0-9a-f]+$/i;

/** Option fields the fast path models; a declaration with any other (coerce, nargs, ...) goes to yargs. */
const MODELLED_FIELDS = new Set(["type", "array", "alias", "default", "choices", "describe", "demandOption"]);

const camel = (name: string) => name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/**
 * The arguments yargs would give the command's handler for `argv` (the command's name first), or
 * undefined when the line is not plain enough to be sure of that: then yargs parses it.
 */
export function fastArgs(argv: readonly string[], spec: CommandSpec): Record<string, unknown> | undefined {
  if (argv[0] !== spec.name) return undefined;
  // A Map, not the options object: `--constructor` or `--__proto__` must be unknown options, not Object.prototype's.
  const options = new Map<string, Options>(Object.entries(spec.options));
  const aliases = new Map<string, string>();
  for (const [name, o] of options) {
    if (Object.keys(o).some((k) => !MODELLED_FIELDS.has(k)) || Array.isArray(o.alias) || o.demandOption) return undefined;
    if (o.type !== "string" && o.type !== "boolean" && o.type !== "number" && !(o.type === undefined && o.choices)) return undefined;
    if (typeof o.alias === "string") aliases.set(o.alias, name);
  }
  const given = new Map<string, unknown>();
  const positionals: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const token = argv[i];
    let name: string;
    let inline: string | undefined;
    if (token.startsWith("--")) {
      const eq = token.indexOf("=");
      name = eq < 0 ? token.slice(2) : token.slice(2, eq);
      inline = eq < 0 ? undefined : token.slice(eq + 1);
      if (name.startsWith("no-") && options.get(name.slice(3))?.type === "boolean" && inline === undefined && !options.has(name)) {
        name = name.slice(3);
        if (given.has(name)) return undefined;
        given.set(name, false);
        continue;
      }
    } else if (token.startsWith("-")) {
      const full = token.length === 2 ? aliases.get(token[1]) : undefined;
      if (!full) return undefined; // "-", "--", clusters (-vo), negative numbers, unknown letters
      name = full;
    } else {
      if (NUMBER_LIKE.test(token)) return undefined;
      positionals.push(token);
      continue;
    }
    const o = options.get(name);
    if (!o || given.has(name)) return undefined;
    if (o.type === "boolean") {
      if (inline !== undefined) return undefined;
      // yargs takes a following "true"/"false" as the boolean's value.
      if (argv[i + 1] === "true" || argv[i + 1] === "false") return undefined;
      given.set(name, true);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value.startsWith("-")) return undefined;
    if (o.choices && !(o.choices as readonly unknown[]).includes(value)) return undefined;
    if (o.type === "number") {
      if (!/^(?:0|[1-9]\d{0,14})$/.test(value)) return undefined;
      given.set(name, Number(value));
      continue;
    }
    if (o.array) {
      // yargs gives an array option every value up to the next option: take only a line where that is one.
      const next = argv[i + 1];
      if (inline !== undefined || (next !== undefined && !next.startsWith("--") && !(next.length === 2 && aliases.has(next[1])))) return undefined;
      given.set(name, [value]);
      continue;
    }
    // A value yargs-parser would read as a number, where the declared type is string: leave it to yargs.
    if (NUMBER_LIKE.test(value)) return undefined;
    given.set(name, value);
  }
  const p = spec.positional;
  if (!p && positionals.length) return undefined;
  if (p && p.spec.demandOption && !positionals.length) return undefined;
  // As yargs builds them: `_` with the command, each option under its name, its camelCase name and its alias.
  const args: Record<string, unknown> = { _: [spec.name] };
  const set = (name: string, value: unknown) => {
    args[name] = value;
    args[camel(name)] = value;
    const alias = options.get(name)?.alias;
    if (typeof alias === "string") args[alias] = value;
  };
  for (const [name, o] of options) {
    if (given.has(name)) set(name, given.get(name));
    else if (o.default !== undefined) set(name, o.default);
  }
  // A variadic positional is there even when empty (yargs gives `hosts: []` to `probe --domain ...`).
  if (p) set(p.name, positionals);
  if (spec.check) {
    // yargs refuses a line when its check throws, or returns something falsy or a message (a string).
    let verdict: unknown;
    try {
      verdict = (spec.check as (a: Record<string, unknown>) => unknown)(args);
    } catch {
      return undefined; // yargs reports it, in its words
    }
    if (!verdict || typeof verdict === "string") return undefined;
  }
  return args;
}
