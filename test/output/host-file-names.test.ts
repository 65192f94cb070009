// Per-host file names (collect --output-dir, probe -o dir, check --report-dir): every name written in
// a run is unique on a case-insensitive file system, file-safe on Windows, and stable for a host.
import fc from "fast-check";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pruneReports, reportFileName } from "../../lib/cli/commands/check";
import { hostFileStem, hostFileStems } from "../../lib/output/host-file-names";

const long = (tail: string) => `dc-${"x".repeat(117)}${tail}.example.test`; // 120 shared characters

describe("hostFileStems: table", () => {
  test.each([
    ["differ only in case", ["DC1.example.test", "dc1.example.test"], ["dc1.example.test", "dc1.example.test~2"]],
    ["the same name twice (two endpoints, one --servername)", ["dc1.example.test", "dc1.example.test"], ["dc1.example.test", "dc1.example.test~2"]],
    ["share their first 120 characters", [long("a"), long("b")], [expect.stringMatching(/^dc-x{117}~[0-9a-f]{12}$/), expect.stringMatching(/^dc-x{117}~[0-9a-f]{12}$/)]],
    ["differ only in characters that are not file-safe", ["dc1/x", "dc1:x", "dc1_x"], [expect.stringMatching(/^dc1_x~[0-9a-f]{12}$/), expect.stringMatching(/^dc1_x~[0-9a-f]{12}$/), "dc1_x"]],
    ["Windows device names", ["con", "NUL.example.test", "com1"], [expect.stringMatching(/^_con~/), expect.stringMatching(/^_nul\.example\.test~/), expect.stringMatching(/^_com1~/)]],
    ["a leading dot, an empty name, a path", [".hidden", "", "../../etc/passwd"], [expect.stringMatching(/^_hidden~/), expect.stringMatching(/^_~/), expect.stringMatching(/^_\._\.\._etc_passwd~/)]],
  ])("names that %s get different names", (_what, hosts, expected) => {
    const stems = hostFileStems(hosts);
    expect(stems).toEqual(expected);
    expect(new Set(stems.map((s) => s.toLowerCase())).size).toBe(hosts.length);
  });

  test("a plain host name is used as is, lowercased (DNS names are case-insensitive)", () => {
    expect(hostFileStem("dc1.corp.example.test")).toBe("dc1.corp.example.test");
    expect(hostFileStem("DC1.Corp.Example.Test")).toBe("dc1.corp.example.test");
    expect(hostFileStem("10.0.0.5")).toBe("10.0.0.5");
  });
});

describe("hostFileStems: property", () => {
  // Host names built to collide: shared long prefixes, case variants, unsafe characters, repeats.
  const piece = fc.constantFrom("dc1", "DC1", "Dc1", "x".repeat(60), "X".repeat(60), ".", "-", "_", "/", "\\", ":", "~", "~2", "con", "é", "\u0130", " ", "");
  const host = fc.oneof(fc.array(piece, { maxLength: 6 }).map((a) => a.join("")), fc.string({ maxLength: 200 }), fc.string({ unit: "grapheme", maxLength: 40 }));
  const hosts = fc.array(host, { maxLength: 30 }).chain((list) => fc.shuffledSubarray([...list, ...list.map((h) => h.toUpperCase())]));

  test("every stem is unique case-insensitively, file-safe and short; equal hosts (ignoring case) share a base stem", () => {
    fc.assert(
      fc.property(hosts, (list) => {
        const stems = hostFileStems(list);
        expect(new Set(stems.map((s) => s.toLowerCase())).size).toBe(list.length);
        for (const s of stems) {
          expect(s).toMatch(/^[a-z0-9_-][a-z0-9._~-]*$/);
          expect(s.length).toBeLessThanOrEqual(140);
          expect(s.split(".")[0]).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)$/);
        }
        for (const h of list) expect(hostFileStem(h)).toBe(hostFileStem(h.toLowerCase()));
      }),
      { numRuns: 500 },
    );
  });

  test("different hosts (ignoring case) never share a base stem", () => {
    fc.assert(
      fc.property(host, host, (a, b) => {
        fc.pre(a.toLowerCase() !== b.toLowerCase());
        expect(hostFileStem(a)).not.toBe(hostFileStem(b));
      }),
      { numRuns: 2000 },
    );
  });

  test("the names written into a folder are all there afterwards (nothing overwritten)", () => {
    fc.assert(
      fc.property(hosts, (list) => {
        const dir = mkdtempSync(join(tmpdir(), "ldaps-audit-names-"));
        try {
          const names = hostFileStems(list).map((s) => `${s}.snapshot.json`);
          names.forEach((n, i) => writeFileSync(join(dir, n), String(i)));
          expect(readdirSync(dir)).toHaveLength(list.length);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 50 },
    );
  });
});

describe("check --report-dir pruning", () => {
  const at = (i: number) => new Date(Date.UTC(2026, 10, 1 + i, 3, 0, 0, i));
  test("prunes only this host's reports in this format; other hosts, formats and files stay", () => {
    const dir = mkdtempSync(join(tmpdir(), "ldaps-audit-prune-"));
    try {
      const mine = [0, 1, 2, 3].map((i) => reportFileName("dc1.example.test", "json", at(i)));
      const others = [
        ...[0, 1, 2].map((i) => reportFileName("dc1.example.test", "html", at(i))), // this host, another format
        ...[0, 1, 2].map((i) => reportFileName("dc2.example.test", "json", at(i))), // another host
        ...[0, 1, 2].map((i) => reportFileName("dc1.example.test.evil", "json", at(i))), // a name this host's is a prefix of
        ...[0, 1, 2].map((i) => reportFileName("dc1.example.test-20261101T030000000Z", "json", at(i))), // a name that looks like a stamp
        ...[0, 1].map((i) => reportFileName("DC1.example.test/x", "json", at(i))), // hashed name
        "ldaps-audit-dc1.example.test-latest.json",
        "notes.txt",
      ];
      // A report named by an earlier version, which kept the host's case: still this host's.
      const legacy = `ldaps-audit-DC1.Example.Test-${at(-1).toISOString().replace(/[-:.]/g, "")}.json`;
      for (const f of [...mine, ...others, legacy]) writeFileSync(join(dir, f), "{}");
      const removed = pruneReports(dir, 2, "DC1.example.test", "json");
      expect(removed.sort()).toEqual([legacy, mine[0], mine[1]].sort());
      expect(readdirSync(dir).sort()).toEqual([...mine.slice(2), ...others].sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("report file names: host stem, millisecond UTC stamp, extension by format", () => {
    expect(reportFileName("DC1.Example.Test", "junit", new Date("2026-11-24T03:00:00.123Z"))).toBe("ldaps-audit-dc1.example.test-20261124T030000123Z.xml");
    expect(reportFileName("dc1", "text", new Date("2026-11-24T03:00:00Z"))).toBe("ldaps-audit-dc1-20261124T030000000Z.txt");
  });
});
