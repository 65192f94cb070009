// One order for text in reports and plans: UTF-16 code unit order, the same on every machine.
// String#localeCompare would follow the machine's locale (LANG), so two auditors could get the same
// report in two orders, and its first call initialises ICU's collator (~15 ms of a cold start, issue 17).

/** Orders two strings by code unit (what `<` does), for `Array#sort`. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** An integer count with thousands separators, as en-US prints it ("100,000"), without ICU's number formatter (no rounding, no exponents: for counts and limits). */
export function groupThousands(n: number): string {
  const [whole, fraction] = String(Math.abs(n)).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+$)/g, ",");
  return `${n < 0 ? "-" : ""}${grouped}${fraction === undefined ? "" : `.${fraction}`}`;
}
