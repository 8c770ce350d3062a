module.exports = { ...require('../jest.preset.cjs').e2e, displayName: '@orderstream/e2e' };
