import { bootstrapService } from '@orderstream/platform';
import { AppModule } from './app.module';
import { SERVICE_NAME, ordersConfigSchema } from './config';
import { setupOpenApi } from './openapi';

void bootstrapService({
  name: SERVICE_NAME,
  configSchema: ordersConfigSchema,
  rootModule: (config) => AppModule.register(config),
  // Swagger UI at /docs, the document at /docs-json.
  configure: (app) => setupOpenApi(app),
});
