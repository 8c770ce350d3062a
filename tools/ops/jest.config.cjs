module.exports = { ...require('../../jest.preset.cjs').unit, displayName: '@orderstream/ops-cli' };
