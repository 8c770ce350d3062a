import { bootstrapService } from '@orderstream/platform';
import { AppModule } from './app.module';
import { SERVICE_NAME, outboxRelayConfigSchema } from './config';

void bootstrapService({
  name: SERVICE_NAME,
  configSchema: outboxRelayConfigSchema,
  rootModule: (config) => AppModule.register(config),
});
