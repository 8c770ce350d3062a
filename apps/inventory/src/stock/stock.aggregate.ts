/** The outbox's `aggregate_type` of every event inventory writes; the aggregate id is the order id. */
export const STOCK_AGGREGATE = 'StockReservation';
