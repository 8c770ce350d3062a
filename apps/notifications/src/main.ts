import { allContracts } from '@orderstream/contracts';
import { bootstrapService, serveAsyncApi } from '@orderstream/platform';
import { serviceAsyncApi } from '@orderstream/system';
import { AppModule } from './app.module';
import { setupOpenApi } from './openapi';
import { SERVICE_NAME, notificationsConfigSchema } from './config';

void bootstrapService({
  name: SERVICE_NAME,
  configSchema: notificationsConfigSchema,
  rootModule: (config) => AppModule.register(config),
  configure: (app) => {
    // Swagger UI at /docs, the OpenAPI document at /docs-json.
    setupOpenApi(app);
    // Its Kafka API: the AsyncAPI document at /asyncapi.json, generated from the manifest and the contracts.
    serveAsyncApi(app, serviceAsyncApi(SERVICE_NAME, allContracts));
  },
});
