/**
 * Public API of @orderstream/demo, shared with the e2e tests: the service table and the process launcher.
 */
export * from './services';
export * from './service-process';
