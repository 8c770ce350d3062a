/**
 * Every name a new service is known by, derived once from its kebab-case name, so the app, its contract,
 * its manifest entry and its tests cannot disagree. `shipping` → app `apps/shipping`, package
 * `@orderstream/shipping`, database `shipping`, topic `shipping.events`, consumer group `shipping`, image
 * `orderstream-shipping`, contracts context `shipping` (`orderstream.shipping.v1`), and one example event
 * `orderstream.shipping.OrderRecorded`. `sales-analytics` → database `sales_analytics`, context
 * `salesAnalytics` (Avro names and TypeScript keys allow no hyphen).
 */

/** kebab-case: lower-case words of letters and digits joined by single hyphens, starting with a letter. */
const KEBAB_CASE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** The record name of the example event every generated service publishes. */
export const EXAMPLE_RECORD = 'OrderRecorded';

/** The event a generated service consumes: OrderPlaced carries the whole order, so it needs no callback. */
export const CONSUMED_EVENT_TYPE = 'orderstream.orders.OrderPlaced';

export class InvalidServiceNameError extends Error {
  readonly code = 'INVALID_SERVICE_NAME';

  constructor(name: string) {
    super(`Service name "${name}" is not kebab-case (e.g. shipping, order-history)`);
    this.name = 'InvalidServiceNameError';
  }
}

export interface ServiceNames {
  /** kebab-case: the folder, the package, the topic prefix, the consumer group, the Kafka client id. */
  name: string;
  /** PascalCase: `Shipping`, `SalesAnalytics`. */
  className: string;
  /** camelCase: `shipping`, `salesAnalytics`; also the contracts' bounded-context key. */
  propertyName: string;
  /** CONSTANT_CASE: `SALES_ANALYTICS`. */
  constantName: string;
  database: string;
  topic: string;
  image: string;
  /** The contracts' bounded context: the key in `Topics` and `eventsByContext`, the Avro namespace part. */
  context: string;
  recordName: string;
  /** The example event's CloudEvents type. */
  eventType: string;
  /** TypeScript names of the example event's contract, schema, payload type and the context's event map. */
  eventConst: string;
  schemaConst: string;
  eventInterface: string;
  eventsConst: string;
}

export function serviceNames(name: string): ServiceNames {
  if (!KEBAB_CASE.test(name)) throw new InvalidServiceNameError(name);
  const words = name.split('-');
  const capitalized = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1));
  const className = capitalized.join('');
  const propertyName = words[0] + capitalized.slice(1).join('');
  return {
    name,
    className,
    propertyName,
    constantName: words.map((w) => w.toUpperCase()).join('_'),
    database: words.join('_'),
    topic: `${name}.events`,
    image: `orderstream-${name}`,
    context: propertyName,
    recordName: EXAMPLE_RECORD,
    eventType: `orderstream.${propertyName}.${EXAMPLE_RECORD}`,
    eventConst: `${propertyName}${EXAMPLE_RECORD}Event`,
    schemaConst: `${propertyName}${EXAMPLE_RECORD}Schema`,
    eventInterface: `${className}${EXAMPLE_RECORD}`,
    eventsConst: `${propertyName}Events`,
  };
}
