/**
 * The version of the projection's code: the fold (order-view.ts), the projector and the tables
 * (generation-schema.ts). Raise it with any change to them that would give other rows for the same events;
 * at the next boot the service keeps serving the generation built by the old code and builds one with the
 * new code beside it, served once it has caught up (projection-host.ts). A change that does not alter the
 * rows (a log line, a faster query) keeps the version.
 */
export const ORDER_HISTORY_PROJECTION_VERSION = 1;
