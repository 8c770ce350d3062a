/** The outbox's `aggregate_type` of every event payments writes; the aggregate id is the order id. */
export const PAYMENT_AGGREGATE = 'Payment';
