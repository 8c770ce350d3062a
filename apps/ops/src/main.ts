import { bootstrapService } from '@orderstream/platform';
import { AppModule } from './app.module';
import { opsConfigSchema, SERVICE_NAME } from './config';
import { setupOpenApi } from './openapi';

void bootstrapService({
  name: SERVICE_NAME,
  configSchema: opsConfigSchema,
  rootModule: (config) => AppModule.register(config),
  // The service port's own document (health, metrics); the admin API documents itself on the admin port.
  configure: (app) => void setupOpenApi(app),
});
