module.exports = { ...require('../../jest.preset.cjs').integration, displayName: '@orderstream/operations' };
