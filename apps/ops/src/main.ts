import { allContracts } from '@orderstream/contracts';
import { bootstrapService, serveAsyncApi } from '@orderstream/platform';
import { serviceAsyncApi } from '@orderstream/system';
import { AppModule } from './app.module';
import { opsConfigSchema, SERVICE_NAME } from './config';
import { setupOpenApi } from './openapi';

void bootstrapService({
  name: SERVICE_NAME,
  configSchema: opsConfigSchema,
  rootModule: (config) => AppModule.register(config),
  configure: (app) => {
    // The service port's own document (health, metrics); the admin API documents itself on the admin port.
    void setupOpenApi(app);
    // Its Kafka API: the AsyncAPI document at /asyncapi.json, generated from the manifest and the contracts.
    serveAsyncApi(app, serviceAsyncApi(SERVICE_NAME, allContracts));
  },
});
