import { SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { bootstrapService } from '@orderstream/platform';
import { AppModule } from './app.module';
import { SERVICE_NAME, ordersConfigSchema } from './config';
import { openApiDocument } from './openapi/openapi.document';

void bootstrapService({
  name: SERVICE_NAME,
  configSchema: ordersConfigSchema,
  rootModule: (config) => AppModule.register(config),
  // Swagger UI at /docs, the document at /docs-json. The document is plain OpenAPI 3.1 built from the zod
  // schemas; @nestjs/swagger's typings are narrower than the JSON Schema zod emits, hence the cast.
  configure: (app) => SwaggerModule.setup('docs', app, openApiDocument() as unknown as OpenAPIObject),
});
