export { CreateNotifications1796310000000 } from './migrations/1796310000000-create-notifications';
export {
  NOTIFICATIONS_ENTITIES,
  NOTIFICATIONS_MIGRATIONS,
  notificationsDataSourceOptions,
} from './notifications-data-source.options';
