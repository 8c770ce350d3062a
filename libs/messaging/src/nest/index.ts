/**
 * The NestJS integration, a separate entry point (`@orderstream/messaging/nest`) so that the core
 * (`@orderstream/messaging`) loads without NestJS: Nest is an optional peer dependency.
 */
export * from './messaging.module';
export * from './messaging-module.options';
export * from './messaging.tokens';
export * from './handle-event.decorator';
export * from './messaging.health-indicator';
export { MessagingRuntime } from './messaging.runtime';
export { groupHandlers, type DiscoveredHandler, type HandlerGroup } from './handler-groups';
