/**
 * How `dlt show` reads a dead-lettered payload: as the failing group's consumer did, through the envelope
 * codec and the schema registry, with every contract of the system as the reader schemas. A dead-letter
 * record keeps the original key, value and headers, so the envelope decodes as it did on the source topic.
 * What cannot be decoded (an unknown `ce_type`, bytes that are not Avro: often why it was dead-lettered)
 * comes back as the desk's `{ error, base64 }` instead.
 */
import { allContracts } from '@orderstream/contracts';
import {
  AvroCodec,
  EnvelopeCodec,
  EventRegistry,
  type ConsumedRecord,
  type Envelope,
  type EventDefinition,
} from '@orderstream/messaging';

/** The record's envelope (CloudEvents attributes, trace and correlation ids, and the decoded data). */
export function registryDecoder(registryUrl: string): (record: ConsumedRecord) => Promise<Envelope> {
  const codec = new EnvelopeCodec(new AvroCodec({ registryUrl }));
  // Contracts are typed structurally like the library's definitions (see libs/contracts event-contract.ts).
  const registry = new EventRegistry(allContracts as readonly EventDefinition<unknown>[]);
  return (record) => codec.decode(record, registry);
}
