module.exports = { ...require('../../jest.preset.cjs').integration, displayName: '@orderstream/ops-cli' };
