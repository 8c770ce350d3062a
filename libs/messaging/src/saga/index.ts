export * from './saga-definition';
export * from './saga-machine';
export * from './saga-diagram';
