// Preloaded with `node -r` by test/startup.test.ts: at exit, writes the files the process loaded (CommonJS
// cache), the built-in modules it loaded, the locale-dependent (ICU) calls it made and whether it rendered
// help text, to the file named by LDAPS_AUDIT_TEST_MODULES. No clock: what a start-up costs is asserted as
// what it loads and does (ICU's collator and number formatter cost ~15-30 ms on first use, and make output
// depend on LANG; rendering help ~25 ms).
"use strict";
const { writeFileSync } = require("node:fs");
const icu = new Set();
function record(owner, name, label) {
  const original = owner[name];
  const wrapper = function (...args) {
    icu.add(label);
    // `new Intl.NumberFormat()` must still build a NumberFormat (its prototype, not the wrapper's).
    return new.target ? Reflect.construct(original, args, new.target === wrapper ? original : new.target) : original.apply(this, args);
  };
  Object.defineProperty(owner, name, { configurable: true, writable: true, value: wrapper });
}
record(String.prototype, "localeCompare", "String#localeCompare");
record(Number.prototype, "toLocaleString", "Number#toLocaleString");
record(BigInt.prototype, "toLocaleString", "BigInt#toLocaleString");
for (const name of ["toLocaleString", "toLocaleDateString", "toLocaleTimeString"]) record(Date.prototype, name, `Date#${name}`);
for (const name of ["Collator", "NumberFormat", "DateTimeFormat", "PluralRules", "RelativeTimeFormat", "ListFormat", "Segmenter"]) {
  if (typeof Intl[name] === "function") record(Intl, name, `Intl.${name}`);
}
// Help text is laid out by cliui (yargs' only use of it): a call means help was rendered.
let helpRendered = false;
const Module = require("node:module");
const load = Module._load;
Module._load = function (request, ...rest) {
  const loaded = load.call(this, request, ...rest);
  if (request !== "cliui" || typeof loaded !== "function") return loaded;
  return function (...args) {
    helpRendered = true;
    return loaded.apply(this, args);
  };
};
process.on("exit", () => {
  const builtins = process.moduleLoadList.filter((m) => m.startsWith("NativeModule ")).map((m) => m.slice("NativeModule ".length));
  writeFileSync(process.env.LDAPS_AUDIT_TEST_MODULES, JSON.stringify({ files: Object.keys(require.cache), builtins, icu: [...icu], helpRendered }));
});
