/**
 * Public API of @orderstream/platform/testing: a service in-process for its integration tests. Only test
 * code imports it; services import `@orderstream/platform`.
 */
export { startTestApp, type TestApp, type TestAppDefinition } from './start-test-app';
export {
  request,
  startServiceUnderTest,
  type OutboxEntry,
  type OutboxRow,
  type TestResponse,
  type ServiceUnderTest,
  type ServiceUnderTestOptions,
} from './start-service-under-test';
