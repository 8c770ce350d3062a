/**
 * Each module-boundary rule as a fixture: a source text placed (virtually) in a project, and the lint rule
 * that must reject it, or `null` for the allowed imports that show the rules do not reject everything.
 */
export interface BoundaryCase {
  name: string;
  /** Where the fixture pretends to live; decides the project and therefore the tags that apply. */
  filePath: string;
  code: string;
  expectedRule: '@nx/enforce-module-boundaries' | 'no-restricted-imports' | null;
}

export const BOUNDARY_CASES: BoundaryCase[] = [
  {
    name: 'an app imports another app by package name',
    filePath: 'apps/payments/src/boundary-fixture.ts',
    code: "import { bootstrap } from '@orderstream/orders';\nexport const x = bootstrap;\n",
    expectedRule: '@nx/enforce-module-boundaries',
  },
  {
    name: 'an app imports another app by relative path',
    filePath: 'apps/inventory/src/boundary-fixture.ts',
    code: "import { x as y } from '../../orders/src/main';\nexport const x = y;\n",
    expectedRule: '@nx/enforce-module-boundaries',
  },
  {
    name: 'libs/messaging imports libs/contracts',
    filePath: 'libs/messaging/src/boundary-fixture.ts',
    code: "import { Topics } from '@orderstream/contracts';\nexport const x = Topics;\n",
    expectedRule: '@nx/enforce-module-boundaries',
  },
  {
    name: 'libs/messaging imports an app',
    filePath: 'libs/messaging/src/boundary-fixture.ts',
    code: "import { x as y } from '@orderstream/orders';\nexport const x = y;\n",
    expectedRule: '@nx/enforce-module-boundaries',
  },
  {
    name: 'libs/contracts imports a framework',
    filePath: 'libs/contracts/src/boundary-fixture.ts',
    code: "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n",
    expectedRule: '@nx/enforce-module-boundaries',
  },
  {
    name: 'an app imports kafkajs',
    filePath: 'apps/orders/src/boundary-fixture.ts',
    code: "import { Kafka } from 'kafkajs';\nexport const x = Kafka;\n",
    expectedRule: 'no-restricted-imports',
  },
  {
    name: 'libs/messaging outside its kafkajs adapter imports kafkajs',
    filePath: 'libs/messaging/src/codec/boundary-fixture.ts',
    code: "import { Kafka } from 'kafkajs';\nexport const x = Kafka;\n",
    expectedRule: 'no-restricted-imports',
  },
  {
    name: 'the kafkajs adapter imports kafkajs',
    filePath: 'libs/messaging/src/adapters/kafkajs/boundary-fixture.ts',
    code: "import { Kafka } from 'kafkajs';\nexport const x = Kafka;\n",
    expectedRule: null,
  },
  {
    name: 'an app imports the messaging library and the contracts',
    filePath: 'apps/orders/src/boundary-fixture.ts',
    code: "import { Topics } from '@orderstream/contracts';\nimport { DecodeError } from '@orderstream/messaging';\nexport const x = [Topics, DecodeError];\n",
    expectedRule: null,
  },
  {
    name: 'the messaging core imports TypeORM',
    filePath: 'libs/messaging/src/subscription/boundary-fixture.ts',
    code: "import type { DataSource } from 'typeorm';\nexport type X = DataSource;\n",
    expectedRule: 'no-restricted-imports',
  },
  {
    name: 'the messaging core imports pg',
    filePath: 'libs/messaging/src/consumer/boundary-fixture.ts',
    code: "import { Client } from 'pg';\nexport const x = Client;\n",
    expectedRule: 'no-restricted-imports',
  },
  {
    name: 'the messaging core imports NestJS',
    filePath: 'libs/messaging/src/envelope/boundary-fixture.ts',
    code: "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n",
    expectedRule: 'no-restricted-imports',
  },
  {
    name: 'the messaging core imports its PostgreSQL entry',
    filePath: 'libs/messaging/src/subscription/boundary-fixture.ts',
    code: "import { PostgresInbox } from '../postgres';\nexport const x = PostgresInbox;\n",
    expectedRule: 'no-restricted-imports',
  },
  {
    name: 'the messaging core imports the kafkajs adapter',
    filePath: 'libs/messaging/src/failure/boundary-fixture.ts',
    code: "import { createKafkaJsClient } from '../adapters/kafkajs';\nexport const x = createKafkaJsClient;\n",
    expectedRule: 'no-restricted-imports',
  },
  {
    name: 'the messaging core imports its Nest entry',
    filePath: 'libs/messaging/src/delivery/boundary-fixture.ts',
    code: "import { MessagingModule } from '../nest/messaging.module';\nexport const x = MessagingModule;\n",
    expectedRule: 'no-restricted-imports',
  },
  {
    name: 'the PostgreSQL entry imports TypeORM and the core',
    filePath: 'libs/messaging/src/postgres/boundary-fixture.ts',
    code: "import type { DataSource } from 'typeorm';\nimport type { InboxPort } from '../ports/inbox.port';\nexport type X = [DataSource, InboxPort];\n",
    expectedRule: null,
  },
  {
    name: 'the Nest entry imports NestJS and the PostgreSQL entry',
    filePath: 'libs/messaging/src/nest/boundary-fixture.ts',
    code: "import { Injectable } from '@nestjs/common';\nimport { PostgresInbox } from '../postgres';\nexport const x = [Injectable, PostgresInbox];\n",
    expectedRule: null,
  },
  {
    name: 'the event store core imports TypeORM',
    filePath: 'libs/event-store/src/core/boundary-fixture.ts',
    code: "import type { EntityManager } from 'typeorm';\nexport type X = EntityManager;\n",
    expectedRule: 'no-restricted-imports',
  },
  {
    name: 'the event store core imports its PostgreSQL entry',
    filePath: 'libs/event-store/src/core/boundary-fixture.ts',
    code: "import { PostgresEventStore } from '../postgres';\nexport const x = PostgresEventStore;\n",
    expectedRule: 'no-restricted-imports',
  },
  {
    name: 'the event store imports the messaging library',
    filePath: 'libs/event-store/src/postgres/boundary-fixture.ts',
    code: "import { DecodeError } from '@orderstream/messaging';\nexport const x = DecodeError;\n",
    expectedRule: '@nx/enforce-module-boundaries',
  },
  {
    name: 'the event store PostgreSQL entry imports TypeORM and the core',
    filePath: 'libs/event-store/src/postgres/boundary-fixture.ts',
    code: "import type { EntityManager } from 'typeorm';\nimport { fold } from '../core/decider';\nexport const x: [EntityManager | undefined, typeof fold] = [undefined, fold];\n",
    expectedRule: null,
  },
  {
    name: 'an app imports the event store',
    filePath: 'apps/payments/src/boundary-fixture.ts',
    code: "import { PostgresEventStore } from '@orderstream/event-store/postgres';\nexport const x = PostgresEventStore;\n",
    expectedRule: null,
  },
];
