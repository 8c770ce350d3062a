/**
 * The committed AsyncAPI documents (docs/asyncapi/): one for the system and one per service of the manifest,
 * by file name. `npm run asyncapi:generate` writes them; asyncapi-documents.spec.ts fails when they differ.
 */
import { join } from 'node:path';
import { allContracts } from '@orderstream/contracts';
import {
  serviceAsyncApi,
  serviceNames,
  SYSTEM,
  systemAsyncApi,
  type AsyncApiContract,
  type AsyncApiDocument,
  type SystemManifest,
} from '@orderstream/system';

export const ASYNCAPI_DIR = join(__dirname, '..', '..', '..', '..', 'docs', 'asyncapi');
export const ASYNCAPI_GENERATE_COMMAND = 'npm run asyncapi:generate';
export const SYSTEM_FILE = 'system.asyncapi.json';

export const asyncApiFileOf = (service: string): string => `${service}.asyncapi.json`;

/** Every document, by its file name under docs/asyncapi/: the system's first, then the services'. */
export function asyncApiFiles(
  system: SystemManifest = SYSTEM,
  contracts: readonly AsyncApiContract[] = allContracts,
): Map<string, AsyncApiDocument> {
  return new Map([
    [SYSTEM_FILE, systemAsyncApi(contracts, system)],
    ...serviceNames(system).map(
      (name) => [asyncApiFileOf(name), serviceAsyncApi(name, contracts, system)] as const,
    ),
  ]);
}
