import { bootstrapService, serveAsyncApi } from '@orderstream/platform';
import { serviceAsyncApi } from '@orderstream/system';
import { AppModule } from './app.module';
import { SERVICE_NAME, outboxRelayConfigSchema } from './config';

void bootstrapService({
  name: SERVICE_NAME,
  configSchema: outboxRelayConfigSchema,
  rootModule: (config) => AppModule.register(config),
  // The AsyncAPI document at /asyncapi.json, like every service's. The relay publishes the outboxes' rows as
  // they are, without decoding them: it knows no contract, and its document has no operations of its own.
  configure: (app) => serveAsyncApi(app, serviceAsyncApi(SERVICE_NAME, [])),
});
