#!/usr/bin/env node
// node bench/pem.js: scaling of the PEM reader (lib/x509/encoding.ts) on hostile shapes. Prints the time
// per size and the ratio to the previous size: about 2 when doubling the input means linear work, about
// 4 means quadratic. The old regex reader is run on the same shapes (smaller sizes: it is quadratic).
// Needs a build (npx tsc). Ratios, not absolute times, are the result: the machine is shared.
"use strict";
const { join } = require("node:path");
const { parsePem } = require(join(__dirname, "..", "dist", "lib", "x509", "encoding"));

const OLD_RE = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const oldParse = (text) => [...text.matchAll(OLD_RE)].length;

const shapes = {
  "unterminated BEGIN lines": (bytes) => "-----BEGIN CERTIFICATE-----\n".repeat(Math.ceil(bytes / 28)),
  "BEGIN lines without closing dashes": (bytes) => "-----BEGIN CERTIFICATE\n".repeat(Math.ceil(bytes / 23)),
  "nothing but dashes": (bytes) => "-".repeat(bytes),
  "small complete blocks": (bytes) => "-----BEGIN X-----\nAAAA\n-----END X-----\n".repeat(Math.ceil(bytes / 39)),
};

function time(fn) {
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    try {
      fn();
    } catch {
      /* hostile shapes may be refused: the time to refuse is what counts */
    }
    runs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return runs.sort((a, b) => a - b)[1];
}

function row(name, reader, sizes) {
  let prev = null;
  const cells = sizes.map((bytes) => {
    const text = shapes[name](bytes);
    const ms = time(() => reader(text));
    const cell = `${(bytes / 1024).toFixed(0)} KiB ${ms.toFixed(1)} ms${prev ? ` (x${(ms / prev).toFixed(1)})` : ""}`;
    prev = ms;
    return cell;
  });
  console.log(`  ${name}: ${cells.join(", ")}`);
}

console.log("parsePem (one pass):");
for (const name of Object.keys(shapes)) row(name, (t) => parsePem(t, "bench"), [1 << 20, 2 << 20, 4 << 20]);
console.log("old regex reader, for comparison:");
for (const name of Object.keys(shapes)) row(name, oldParse, [64 << 10, 128 << 10, 256 << 10]);
