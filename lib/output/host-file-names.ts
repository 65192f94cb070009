// File names for per-host files (fleet collect, probe into a folder, check --report-dir). One rule for
// all of them, so that no two hosts' files can overwrite each other, also on a case-insensitive file
// system (Windows, macOS) where "DC1" and "dc1" are one name.
import { createHash } from "node:crypto";

/** Readable part of a name kept before the hash when a host name is too long or not file-safe. */
const MAX_STEM = 120;
const HASH_HEX = 12;

/** Device names Windows reserves in any folder, with or without an extension. */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/;

/**
 * The part of a file name that stands for `host`. DNS names are case-insensitive, so the name is
 * lowercased; a lowercased name that is file-safe ([a-z0-9._-], not starting with a dot, at most 120
 * characters, not a Windows device name) is used as it is, so `dc1.example.test` stays readable.
 * Any other name becomes a readable prefix plus "~" and a hash of the lowercased name: "~" never occurs
 * in a name used as is, so a hashed stem can never equal a plain one, and names that share their
 * first 120 characters or differ only in characters that are not file-safe still get different stems.
 */
export function hostFileStem(host: string): string {
  const lower = host.toLowerCase();
  const plain = /^[a-z0-9_-][a-z0-9._-]*$/.test(lower) && lower.length <= MAX_STEM && !WINDOWS_RESERVED.test(lower.split(".")[0]);
  if (plain) return lower;
  let readable = lower.replace(/[^a-z0-9._-]/g, "_").replace(/^\./, "_").slice(0, MAX_STEM);
  // "con.~1a2b" is still the console device to Windows: a reserved first part gets a "_" in front.
  if (!readable || WINDOWS_RESERVED.test(readable.split(".")[0])) readable = `_${readable}`;
  return `${readable}~${createHash("sha256").update(lower, "utf8").digest("hex").slice(0, HASH_HEX)}`;
}

/**
 * One stem per entry of `hosts`, all different even when compared case-insensitively, so that the
 * files named `<stem><suffix>` never overwrite each other. The same host named twice in one run (two
 * endpoints probed under one --servername) gets "~2", "~3" after its stem, in the order given.
 */
export function hostFileStems(hosts: string[]): string[] {
  const taken = new Set<string>(); // stems are lowercase, so this compares case-insensitively
  return hosts.map((host) => {
    const stem = hostFileStem(host);
    let unique = stem;
    for (let n = 2; taken.has(unique); n++) unique = `${stem}~${n}`;
    taken.add(unique);
    return unique;
  });
}
