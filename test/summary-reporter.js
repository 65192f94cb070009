// Prints the run's totals as one plain closing line ("jest: N passed, N failed, N skipped") after
// everything else jest prints, so CI logs and humans can read the result at a glance.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`;
    // jest's own summary is written after the reporters run; the exit hook comes last of all.
    process.once("exit", () => process.stderr.write(line));
  }
}
module.exports = SummaryReporter;
