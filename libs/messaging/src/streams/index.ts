export * from './key-value-store';
export * from './stream-topology';
export * from './stream-task';
export * from './stream-processor';
export { BARRIER_HEADER } from './changelog-restore';
