// Preloaded with `node -r` by test/startup.test.ts: at exit, writes the files the process loaded (CommonJS
// cache) and the built-in modules it loaded to the file named by LDAPS_AUDIT_TEST_MODULES. No clock: what
// a start-up costs is asserted as what it loads.
"use strict";
const { writeFileSync } = require("node:fs");
process.on("exit", () => {
  const builtins = process.moduleLoadList.filter((m) => m.startsWith("NativeModule ")).map((m) => m.slice("NativeModule ".length));
  writeFileSync(process.env.LDAPS_AUDIT_TEST_MODULES, JSON.stringify({ files: Object.keys(require.cache), builtins }));
});
