export * from './publisher';
export * from './publish.error';
