// One e2e file at a time: the services use their fixed consumer groups (orders, payments, inventory), so two
// systems running at once would split each group's partitions between them and steal each other's events.
module.exports = { ...require('../jest.preset.cjs').e2e, displayName: '@orderstream/e2e', maxWorkers: 1 };
