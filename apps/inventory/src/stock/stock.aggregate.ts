/** The outbox's `aggregate_type` of every event inventory writes; the aggregate id is the order id. */
export const STOCK_AGGREGATE = 'StockReservation';

/** The outbox's `aggregate_type` of the stock-level events; the aggregate id is the SKU. */
export const STOCK_ITEM_AGGREGATE = 'StockItem';
