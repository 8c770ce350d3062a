import { bootstrapService } from '@orderstream/platform';
import { AppModule } from './app.module';
import { setupOpenApi } from './openapi';
import { SERVICE_NAME, salesAnalyticsConfigSchema } from './config';

void bootstrapService({
  name: SERVICE_NAME,
  configSchema: salesAnalyticsConfigSchema,
  rootModule: (config) => AppModule.register(config),
  // Swagger UI at /docs, the document at /docs-json.
  configure: (app) => setupOpenApi(app),
});
