// Records each Jest run's totals in ORDERSTREAM_TEST_SUMMARY_DIR (when set), so `npm test` can print how
// many tests ran across every project and tier.
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.globalConfig = globalConfig;
  }

  onRunComplete(_contexts, results) {
    const dir = process.env.ORDERSTREAM_TEST_SUMMARY_DIR;
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    const name = `${process.pid}-${Date.now()}.json`;
    const project = this.globalConfig.rootDir;
    writeFileSync(
      join(dir, name),
      JSON.stringify({
        project,
        suites: results.numTotalTestSuites,
        total: results.numTotalTests,
        passed: results.numPassedTests,
        failed: results.numFailedTests,
        skipped: results.numPendingTests + results.numTodoTests,
      }),
    );
  }
}

module.exports = SummaryReporter;
