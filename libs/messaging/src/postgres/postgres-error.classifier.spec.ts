import { DatabaseError } from 'pg';
import { QueryFailedError } from 'typeorm';
import { DecodeError, errorCode, isRetriable } from '../errors/messaging.error';
import {
  classifyPostgresError,
  isDeterministicSqlState,
  isUniqueViolation,
  postgresErrorFieldsOf,
} from './postgres-error.classifier';
import { PostgresError } from './postgres.errors';

/** What pg raises for a failed statement: the server's ErrorResponse fields on a DatabaseError. */
function serverError(code: string, message: string, fields: Partial<DatabaseError> = {}): DatabaseError {
  return Object.assign(new DatabaseError(message, message.length, 'error'), {
    severity: 'ERROR',
    code,
    ...fields,
  });
}

/** What TypeORM raises around it. */
const queryFailed = (driverError: DatabaseError): QueryFailedError =>
  new QueryFailedError('SELECT $1::uuid', ['not-a-uuid'], driverError);

describe('classifyPostgresError', () => {
  it.each([
    ['22P02', 'invalid input syntax for type uuid: "not-a-uuid"'],
    ['22003', 'value "99999999999" is out of range for type integer'],
    ['22001', 'value too long for type character varying(3)'],
    ['23505', 'duplicate key value violates unique constraint "payments_pkey"'],
    ['23503', 'insert or update on table "order_lines" violates foreign key constraint'],
    ['23502', 'null value in column "sku" violates not-null constraint'],
    ['23514', 'new row violates check constraint "reserved_not_negative"'],
  ])('makes SQLSTATE %s non-retriable with the code POSTGRES_%s', (sqlState, message) => {
    const driverError = serverError(sqlState, message);
    const failure = queryFailed(driverError);

    const classified = classifyPostgresError(failure);

    expect(classified).toBeInstanceOf(PostgresError);
    expect(isRetriable(classified)).toBe(false);
    expect(errorCode(classified)).toBe(`POSTGRES_${sqlState}`);
    expect((classified as PostgresError).sqlState).toBe(sqlState);
    expect((classified as PostgresError).message).toBe(message);
    expect((classified as PostgresError).cause).toBe(failure);
  });

  it.each([
    ['40001', 'could not serialize access due to concurrent update'],
    ['40P01', 'deadlock detected'],
    ['55P03', 'could not obtain lock on row in relation "payments"'],
    ['57014', 'canceling statement due to statement timeout'],
    ['57P01', 'terminating connection due to administrator command'],
    ['08006', 'connection failure'],
    ['53300', 'sorry, too many clients already'],
    ['42P01', 'relation "stock_items" does not exist'],
  ])('keeps SQLSTATE %s retriable, with the code POSTGRES_%s', (sqlState, message) => {
    const classified = classifyPostgresError(queryFailed(serverError(sqlState, message)));

    expect(classified).toBeInstanceOf(PostgresError);
    expect(isRetriable(classified)).toBe(true);
    expect(errorCode(classified)).toBe(`POSTGRES_${sqlState}`);
  });

  it("classifies pg's DatabaseError without TypeORM around it, and keeps the server's fields", () => {
    const driverError = serverError(
      '23505',
      'duplicate key value violates unique constraint "payments_pkey"',
      {
        constraint: 'payments_pkey',
        table: 'payments',
        detail: 'Key (order_id)=(5b1c…) already exists.',
      },
    );

    const classified = classifyPostgresError(driverError) as PostgresError;

    expect(classified.retriable).toBe(false);
    expect(classified).toMatchObject({
      code: 'POSTGRES_23505',
      sqlState: '23505',
      constraint: 'payments_pkey',
      table: 'payments',
      column: undefined,
      detail: 'Key (order_id)=(5b1c…) already exists.',
    });
    expect(postgresErrorFieldsOf(queryFailed(driverError))).toEqual({
      sqlState: '23505',
      constraint: 'payments_pkey',
      table: 'payments',
      detail: 'Key (order_id)=(5b1c…) already exists.',
    });
  });

  it('retries a listed violation a race can cause', () => {
    const race = queryFailed(serverError('23505', 'duplicate key value violates unique constraint'));
    expect(isRetriable(classifyPostgresError(race, { retriableSqlStates: ['23505'] }))).toBe(true);
    expect(isDeterministicSqlState('23505', { retriableSqlStates: ['23505'] })).toBe(false);
    expect(isDeterministicSqlState('23503', { retriableSqlStates: ['23505'] })).toBe(true);
  });

  it('recognises a unique violation, on a named constraint when asked', () => {
    const duplicate = queryFailed(
      serverError('23505', 'duplicate key value violates unique constraint "payments_pkey"', {
        constraint: 'payments_pkey',
      }),
    );
    expect(isUniqueViolation(duplicate)).toBe(true);
    expect(isUniqueViolation(duplicate, 'payments_pkey')).toBe(true);
    expect(isUniqueViolation(duplicate, 'stock_orders_pkey')).toBe(false);
    expect(isUniqueViolation(queryFailed(serverError('23503', 'foreign key')))).toBe(false);
    expect(isUniqueViolation(new Error('duplicate key'))).toBe(false);
  });

  it('leaves everything that is not a server error alone', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    // Five characters like a SQLSTATE, but no server severity: a socket error.
    const pipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    const ours = new DecodeError('no ce_id');
    const bug = new TypeError('x is undefined');

    for (const error of [refused, pipe, ours, bug, 'a string', undefined]) {
      expect(classifyPostgresError(error)).toBe(error);
    }
    expect(isRetriable(classifyPostgresError(refused))).toBe(true);
  });
});
