/**
 * Public API of @orderstream/system: the system manifest (`SYSTEM`), its types and the questions tools
 * ask of it. Plain TypeScript: no framework (enforced by lint).
 */
export * from './manifest';
export * from './system.manifest';
export * from './queries';
export * from './asyncapi/asyncapi-document';
