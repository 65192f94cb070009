#!/usr/bin/env node
// `npm run package:psmodule [-- --out DIR]`: lays out the LdapsAudit PowerShell module as one folder ready for
// Publish-Module / Publish-PSResource (DIR/LdapsAudit, default dist/psmodule/LdapsAudit): ps/LdapsAudit (manifest,
// Public, Private, Scripts) plus the collector's function files from ps/functions as functions/, so the published
// module stands alone (the module loads functions/ when it is there, ../functions in the source tree).
"use strict";
const { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } = require("node:fs");
const { join, resolve } = require("node:path");

const root = join(__dirname, "..");

function fail(message) {
  process.stderr.write(`package:psmodule: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  let out = join(root, "dist", "psmodule");
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--out" && argv[i + 1]) out = resolve(argv[++i]);
    else if (argv[i].startsWith("--out=")) out = resolve(argv[i].slice(6));
    else fail(`unknown argument ${JSON.stringify(argv[i])} (usage: npm run package:psmodule -- [--out DIR])`);
  }
  return { out };
}

function main() {
  const { out } = parseArgs(process.argv.slice(2));
  const source = join(root, "ps", "LdapsAudit");
  const functions = join(root, "ps", "functions");
  const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
  const manifest = readFileSync(join(source, "LdapsAudit.psd1"), "utf8");
  const declared = (/^\s*ModuleVersion\s*=\s*'([^']+)'/m.exec(manifest) || [])[1];
  // One version for the npm package, the collector and the module: refuse to publish a module that disagrees.
  if (declared !== version) fail(`ps/LdapsAudit/LdapsAudit.psd1 has ModuleVersion ${declared}, package.json ${version}: make them equal`);
  const target = join(out, "LdapsAudit");
  rmSync(target, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  cpSync(source, target, { recursive: true });
  mkdirSync(join(target, "functions"));
  for (const name of readdirSync(functions).filter((n) => n.endsWith(".ps1"))) cpSync(join(functions, name), join(target, "functions", name));
  if (!existsSync(join(target, "functions", "Collection.ps1"))) fail("ps/functions/Collection.ps1 is missing");
  process.stdout.write(`${target}\n`);
}

main();
