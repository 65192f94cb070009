// Prints the run's totals as one plain closing line ("jest: N passed, N failed, N skipped") after
// everything else jest prints, so CI logs and humans can read the result at a glance.
//
// The line must agree with jest's exit code. jest counts a suite that fails to run (an import that throws,
// a peer missing under CI=true, a syntax error) in numFailedTestSuites / numRuntimeErrorTestSuites but not
// in numFailedTests, since no test ran: each such suite counts here as one failure. A run that exits non-zero
// for any other reason (a snapshot failure, a reporter error, an interrupted run) never prints "0 failed".
// The counts are taken at process exit: jest sets `success` after the reporters' onRunComplete.
"use strict";

/** The closing line's counts, from jest's AggregatedResult. Exported for the reporter's own test. */
function closingCounts(results, exitCode = 0) {
  const suitesThatDidNotRun = results.testResults.filter(
    (r) => r.testExecError != null || (r.failureMessage && r.numFailingTests === 0),
  ).length;
  let failed = results.numFailedTests + suitesThatDidNotRun;
  const notes = [];
  if (suitesThatDidNotRun > 0) notes.push(`${suitesThatDidNotRun} suite(s) failed to run`);
  if ((exitCode !== 0 || results.success === false || results.runExecError) && failed === 0) {
    failed = 1;
    notes.push(results.wasInterrupted ? "the run was interrupted" : `jest exits with code ${exitCode || 1}`);
  }
  return { passed: results.numPassedTests, failed, skipped: results.numPendingTests + results.numTodoTests, notes };
}

class SummaryReporter {
  onRunComplete(_contexts, results) {
    // jest's own summary is written after the reporters run; the exit hook comes last of all.
    process.once("exit", (code) => {
      const c = closingCounts(results, code);
      const why = c.notes.length > 0 ? `(${c.notes.join("; ")})\n` : "";
      process.stderr.write(`${why}jest: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped\n`);
    });
  }
}

module.exports = SummaryReporter;
module.exports.closingCounts = closingCounts;
