export * from './envelope.codec';
export * from './envelope.error';
export * from './event-registry';
export * from './decode.middleware';
export * from './event-routes';
export * from './unhandled-event.error';
