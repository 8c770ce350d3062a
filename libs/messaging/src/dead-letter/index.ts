export * from './dead-letter-message';
export * from './dead-letter-operations';
export { quarantineRecord, redriveRecord, type RedriveStamp } from './redrive-record';
