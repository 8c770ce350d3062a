/**
 * The tables of one generation of the read model, in a schema of their own, and the views in `public` through
 * which the HTTP side reads the served generation.
 *
 * Serving another generation is one transaction that drops and recreates the four views over the new
 * schema (PostgreSQL's DDL is transactional): a reader sees the old generation or the new one, never a mix
 * and never nothing. Because the views are dropped and recreated, not replaced, a new code version may change
 * the tables' columns.
 */
import type { EntityManager } from 'typeorm';

/** The read model's tables; each is also a view of the same name in `public`. */
export const READ_MODEL_TABLES = [
  'order_views',
  'order_timeline',
  'customer_summaries',
  'customer_amounts',
] as const;

export function schemaOf(generation: number): string {
  if (!Number.isSafeInteger(generation) || generation <= 0) {
    throw new RangeError(`A generation is a positive integer, got ${generation}`);
  }
  return `order_history_g${generation}`;
}

/** The DDL of one generation's tables: the statements, run in order in one transaction. */
export function generationDdl(schema: string): string[] {
  return [
    `CREATE SCHEMA ${schema}`,
    `CREATE TABLE ${schema}.order_views (
       order_id              uuid    PRIMARY KEY,
       customer_id           text,
       state                 text,
       state_reason          text,
       total_cents           bigint,
       currency              text,
       lines                 jsonb   NOT NULL DEFAULT '[]',
       placed_at             text COLLATE "C",   -- RFC 3339 in UTC: byte order is time order
       payment_state         text    NOT NULL DEFAULT 'NONE',
       payment_reason        text,
       payment_amount_cents  bigint,
       reservation_state     text    NOT NULL DEFAULT 'NONE',
       reservation_short_sku text,
       event_count           integer NOT NULL DEFAULT 0,
       last_event_at         text
     )`,
    // Keyset pagination: newest placed first, then by order id (get-order-view/order-view.queries.ts).
    `CREATE INDEX ON ${schema}.order_views (placed_at DESC NULLS LAST, order_id DESC)`,
    `CREATE INDEX ON ${schema}.order_views (customer_id, placed_at DESC NULLS LAST, order_id DESC)`,
    `CREATE INDEX ON ${schema}.order_views (state, placed_at DESC NULLS LAST, order_id DESC)`,
    // The order's events, each once (the event id is the key): the projection's own deduplication, and
    // what the view is folded from.
    `CREATE TABLE ${schema}.order_timeline (
       event_id      text    PRIMARY KEY,
       order_id      uuid    NOT NULL,
       type          text    NOT NULL,
       source        text    NOT NULL,
       time          text    NOT NULL,
       topic         text    NOT NULL,
       partition     integer NOT NULL,
       "offset"      bigint  NOT NULL,
       causation_id  text,
       data          jsonb   NOT NULL
     )`,
    `CREATE INDEX ON ${schema}.order_timeline (order_id)`,
    `CREATE TABLE ${schema}.customer_summaries (
       customer_id  text    PRIMARY KEY,
       pending      integer NOT NULL DEFAULT 0,
       confirmed    integer NOT NULL DEFAULT 0,
       rejected     integer NOT NULL DEFAULT 0,
       cancelled    integer NOT NULL DEFAULT 0,
       refunds      integer NOT NULL DEFAULT 0
     )`,
    // Money per currency: a customer's euros and dollars are never added up.
    `CREATE TABLE ${schema}.customer_amounts (
       customer_id     text   NOT NULL,
       currency        text   NOT NULL,
       spent_cents     bigint NOT NULL DEFAULT 0,
       refunded_cents  bigint NOT NULL DEFAULT 0,
       PRIMARY KEY (customer_id, currency)
     )`,
  ];
}

export async function createGenerationSchema(manager: EntityManager, generation: number): Promise<void> {
  for (const statement of generationDdl(schemaOf(generation))) await manager.query(statement);
}

/** Points the `public` views at a generation; call inside the transaction that marks it served. */
export async function pointViewsAt(manager: EntityManager, generation: number): Promise<void> {
  const schema = schemaOf(generation);
  for (const table of READ_MODEL_TABLES) {
    await manager.query(`DROP VIEW IF EXISTS public.${table}`);
    await manager.query(`CREATE VIEW public.${table} AS SELECT * FROM ${schema}.${table}`);
  }
}

export async function dropGenerationSchema(manager: EntityManager, generation: number): Promise<void> {
  await manager.query(`DROP SCHEMA IF EXISTS ${schemaOf(generation)} CASCADE`);
}
