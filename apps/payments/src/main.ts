import { bootstrapService } from '@orderstream/platform';
import { AppModule } from './app.module';
import { SERVICE_NAME, paymentsConfigSchema } from './config';

void bootstrapService({
  name: SERVICE_NAME,
  configSchema: paymentsConfigSchema,
  rootModule: (config) => AppModule.register(config),
});
