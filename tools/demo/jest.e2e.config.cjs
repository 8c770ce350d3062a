// The launcher end to end (demo-cleanup.e2e.spec.ts). No global infrastructure setup: the test starts a
// stack of its own on other ports, so the shared one is neither needed nor touched.
const { unit } = require('../../jest.preset.cjs');

module.exports = {
  ...unit,
  displayName: '@orderstream/demo:e2e',
  testRegex: '\\.e2e\\.spec\\.ts$',
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 300_000,
};
