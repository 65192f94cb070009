// lib/text-order.ts: report and plan order is the same on every machine (no locale, no ICU).
import fc from "fast-check";
import { compareText, groupThousands } from "../lib/text-order";

test.each([
  ["a", "b", -1],
  ["b", "a", 1],
  ["a", "a", 0],
  // Code unit order, not a locale's: upper case before lower case, "10" before "9", "" first.
  ["B", "a", -1],
  ["10.0.0.10", "10.0.0.9", -1],
  ["", "a", -1],
  ["CORP\\svc", "corp\\svc", -1],
])("compareText(%j, %j) is %d", (a, b, sign) => {
  expect(Math.sign(compareText(a, b))).toBe(sign);
});

test("compareText is a total order that agrees with < and is antisymmetric (fast-check)", () => {
  fc.assert(
    fc.property(fc.string(), fc.string(), (a, b) => {
      expect(Math.sign(compareText(a, b))).toBe(a < b ? -1 : a > b ? 1 : 0);
      expect(Math.sign(compareText(a, b))).toBe(-Math.sign(compareText(b, a)) || 0);
    }),
  );
});

test.each([
  [0, "0"],
  [999, "999"],
  [1000, "1,000"],
  [100_000, "100,000"],
  [524_288, "524,288"],
  [262_144, "262,144"],
  [1_234_567, "1,234,567"],
  [-1234, "-1,234"],
  [1234.5, "1,234.5"],
])("groupThousands(%d) is %s", (n, text) => {
  expect(groupThousands(n)).toBe(text);
});

test("groupThousands agrees with en-US Intl formatting for every safe integer tried (fast-check)", () => {
  const intl = new Intl.NumberFormat("en-US", { maximumFractionDigits: 20 });
  fc.assert(fc.property(fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (n) => expect(groupThousands(n)).toBe(intl.format(n))));
});
