export { CustomerAccountEntity } from './customer-account.entity';
export { InitialSchema1764230400000 } from './migrations/1764230400000-initial-schema';
export { CreatePayments1764400000000 } from './migrations/1764400000000-create-payments';
export { SeedDemoCustomers1764400000001 } from './migrations/1764400000001-seed-demo-customers';
export { PaymentEntity } from './payment.entity';
export {
  PAYMENTS_ENTITIES,
  PAYMENTS_MIGRATIONS,
  paymentsDataSourceOptions,
} from './payments-data-source.options';
