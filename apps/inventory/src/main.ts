import { bootstrapService } from '@orderstream/platform';
import { AppModule } from './app.module';
import { SERVICE_NAME, inventoryConfigSchema } from './config';

void bootstrapService({
  name: SERVICE_NAME,
  configSchema: inventoryConfigSchema,
  rootModule: (config) => AppModule.register(config),
});
