// One e2e file at a time, for CPU, not isolation: each system runs in a Kafka namespace and databases of its
// own, but one system is four Node processes plus the tests on a 2-core machine; Nx already runs another
// project's tests next to this one.
module.exports = { ...require('../jest.preset.cjs').e2e, displayName: '@orderstream/e2e', maxWorkers: 1 };
