import { bootstrapService } from '@orderstream/platform';
import { AppModule } from './app.module';
import { SERVICE_NAME, ordersConfigSchema } from './config';

void bootstrapService({
  name: SERVICE_NAME,
  configSchema: ordersConfigSchema,
  rootModule: (config) => AppModule.register(config),
});
