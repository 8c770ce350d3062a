export { CustomerAccountEntity } from './customer-account.entity';
export { InitialSchema1764230400000 } from './migrations/1764230400000-initial-schema';
export {
  PAYMENTS_ENTITIES,
  PAYMENTS_MIGRATIONS,
  paymentsDataSourceOptions,
} from './payments-data-source.options';
