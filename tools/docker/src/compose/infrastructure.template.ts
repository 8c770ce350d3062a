/**
 * The part of docker-compose.yml that is not a service of the manifest: the header, the settings every
 * service shares, Kafka, the registry, PostgreSQL, the user interfaces, and the observability (Prometheus,
 * Grafana, Jaeger). `{{databases}}` becomes the manifest's databases. Edit it here and run
 * `npm run compose:generate`.
 */
export const INFRASTRUCTURE_TEMPLATE = `# orderstream: the whole demo in containers (see docs/docker.md).
#
# GENERATED from the system manifest (libs/system/src/system.manifest.ts) by \`npm run compose:generate\`;
# do not edit by hand: tools/docker/src/compose/compose.generate.spec.ts fails when this file differs from
# what the generator writes. The infrastructure part is the template in tools/docker/src/compose/.
#
#   docker compose up --build
#
# Kafka, Apicurio Registry and PostgreSQL run the versions of the native stack (tools/infra/versions.json)
# with its settings; tools/docker/src/compose.spec.ts fails when the two drift apart.
#
# CREDENTIALS: orderstream/orderstream below are LOCAL DEVELOPMENT DEFAULTS ONLY, the same the native stack
# uses. They protect nothing; never reuse them outside this file.
#
# State lives as long as the containers: the registry keeps schemas in memory, Kafka and PostgreSQL in
# anonymous volumes. Reset everything with \`docker compose down -v\`.
#
# No top-level \`name:\`: CI validates this file with docker-compose v1.29 (tools/docker/validate-compose.sh),
# which rejects it. The project name is the folder name unless you pass \`-p orderstream\`.

# Shared by every service (merged with \`<<:\`). Each service sets PORT and its database on top.
# \`init: true\`: a minimal init as PID 1 forwards SIGTERM to node and reaps zombies (graceful shutdown).
x-service: &service
  init: true
  # Longer than the services' own shutdown deadline (SHUTDOWN_TIMEOUT_MS, 10 s by default) so Docker's
  # SIGKILL never cuts a clean shutdown short; Docker's default grace period is also 10 s.
  stop_grace_period: 15s
  healthcheck:
    # node:24-slim has no curl; node's own fetch checks readiness. PORT comes from the container environment.
    test:
      - CMD
      - node
      - -e
      - "fetch('http://127.0.0.1:'+process.env.PORT+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
    interval: 10s
    timeout: 5s
    retries: 6
    start_period: 30s
  depends_on:
    kafka:
      condition: service_healthy
    schema-registry:
      condition: service_healthy
    postgres:
      condition: service_healthy

# KAFKA_BROKERS is the in-network listener (localhost:9092 is for clients on the host);
# SCHEMA_REGISTRY_URL is Apicurio's Confluent-compatible API, the only registry API the services use.
# SAGA_MODE is system-wide: \`SAGA_MODE=orchestration docker compose up\` runs the order saga orchestrated.
# OTEL_EXPORTER_OTLP_ENDPOINT (the standard OpenTelemetry variable) turns span export on: the services send
# spans over OTLP/HTTP to Jaeger. Without it they still carry traceparent on every record, and export
# nothing (docs/tracing.md). They do not wait for Jaeger: tracing is
# best-effort, and the system must run while its observability does not.
x-service-environment: &service-environment
  KAFKA_BROKERS: kafka:19092
  SCHEMA_REGISTRY_URL: http://schema-registry:8080/apis/ccompat/v7
  LOG_LEVEL: info
  SAGA_MODE: \${SAGA_MODE:-choreography}
  OTEL_EXPORTER_OTLP_ENDPOINT: http://jaeger:4318

services:
  # ---------------------------------------------------------------------------------------------------
  # Infrastructure
  # ---------------------------------------------------------------------------------------------------
  kafka:
    image: apache/kafka:4.4.0
    ports:
      - '9092:9092'
    environment:
      # One KRaft node that is both broker and controller.
      KAFKA_NODE_ID: '1'
      KAFKA_PROCESS_ROLES: broker,controller
      KAFKA_CONTROLLER_QUORUM_VOTERS: 1@kafka:29093
      KAFKA_CONTROLLER_LISTENER_NAMES: CONTROLLER
      # Two client listeners, because a client connects to the address the broker advertises:
      #   PLAINTEXT       kafka:19092     for containers on the compose network (the services, Kafka UI)
      #   PLAINTEXT_HOST  localhost:9092  for tools and tests on the host, through the published port
      KAFKA_LISTENERS: PLAINTEXT://:19092,PLAINTEXT_HOST://:9092,CONTROLLER://:29093
      KAFKA_ADVERTISED_LISTENERS: PLAINTEXT://kafka:19092,PLAINTEXT_HOST://localhost:9092
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: PLAINTEXT:PLAINTEXT,PLAINTEXT_HOST:PLAINTEXT,CONTROLLER:PLAINTEXT
      KAFKA_INTER_BROKER_LISTENER_NAME: PLAINTEXT
      # Any fixed id works: storage is formatted with it only when the data directory is empty.
      CLUSTER_ID: UdRGG-Mr3JY2kxErU7riFA
      # The image's declared data volume. Setting any KAFKA_* variable replaces the image's default
      # server.properties entirely, so everything the broker needs is spelled out here.
      KAFKA_LOG_DIRS: /var/lib/kafka/data
      # From here on: the native stack's broker settings (tools/infra/src/kafka.ts) for a single node.
      # Topics are created explicitly by the services and tests; a typo in a topic name fails loudly.
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false'
      KAFKA_NUM_PARTITIONS: '1'
      KAFKA_DEFAULT_REPLICATION_FACTOR: '1'
      KAFKA_MIN_INSYNC_REPLICAS: '1'
      # Internal topics default to replication factor 3, which a single broker cannot satisfy.
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1'
      KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '10'
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1'
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1'
      KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '10'
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1'
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1'
      # No artificial delay before a new consumer group's first rebalance.
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0'
    healthcheck:
      # The image's own CLI: succeeds once the broker answers on the listener the services use.
      test: ['CMD', '/opt/kafka/bin/kafka-broker-api-versions.sh', '--bootstrap-server', 'kafka:19092']
      interval: 10s
      # Each check starts a JVM, which takes a few seconds.
      timeout: 20s
      retries: 10
      start_period: 30s

  schema-registry:
    image: apicurio/apicurio-registry:3.3.3
    ports:
      # 8081 on the host, as natively; 8080 is Kafka UI's.
      - '8081:8080'
    environment:
      # In-memory storage (an H2 database inside the JVM), as natively: schemas are gone when it stops.
      # These are the image's defaults, spelled out because the demo depends on them.
      APICURIO_STORAGE_KIND: sql
      APICURIO_STORAGE_SQL_KIND: h2
      # Local development, as natively: tests and the demo may delete subjects, artifacts and versions.
      APICURIO_REST_DELETION_GROUP_ENABLED: 'true'
      APICURIO_REST_DELETION_ARTIFACT_ENABLED: 'true'
      APICURIO_REST_DELETION_ARTIFACT_VERSION_ENABLED: 'true'
      # The browser UI below is served from http://localhost:8888, which the registry's default CORS
      # origins (quarkus.http.cors.origins) already allow.
    healthcheck:
      # Since Apicurio 3.2 health endpoints live on the Quarkus management port 9000, not on 8080.
      # The image (UBI-based) ships curl; Apicurio's own compose examples check health the same way.
      test: ['CMD', 'curl', '-fsS', '-o', '/dev/null', 'http://localhost:9000/health/ready']
      interval: 10s
      timeout: 5s
      retries: 10
      start_period: 20s

  postgres:
    image: postgres:18.4
    # Same server settings as natively (tools/infra/src/postgres.ts): logical WAL for log-tailing
    # (change data capture) outbox experiments, and room for several services' pools plus tests.
    command:
      - postgres
      - -c
      - wal_level=logical
      - -c
      - max_replication_slots=10
      - -c
      - max_wal_senders=10
      - -c
      - max_connections=200
    ports:
      - '5432:5432'
    environment:
      # LOCAL DEVELOPMENT DEFAULTS ONLY (see the top of this file).
      POSTGRES_USER: orderstream
      POSTGRES_PASSWORD: orderstream
      # One database per service, created by the init script below on first start.
      ORDERSTREAM_DATABASES: {{databases}}
    volumes:
      - ./tools/docker/postgres/init-databases.sh:/docker-entrypoint-initdb.d/10-init-databases.sh:ro
    healthcheck:
      # Over TCP on purpose: while the init scripts run, the image's temporary server listens only on the
      # Unix socket, so a socket check would report ready before the service databases exist.
      test: ['CMD', 'pg_isready', '-h', '127.0.0.1', '-p', '5432', '-U', 'orderstream', '-d', 'orderstream']
      interval: 5s
      timeout: 5s
      retries: 12
      start_period: 10s

  # ---------------------------------------------------------------------------------------------------
  # User interfaces (no health checks: nothing depends on them)
  # ---------------------------------------------------------------------------------------------------
  kafka-ui:
    # Kafbat UI, the maintained continuation of provectus/kafka-ui. Pinned: \`latest\` moves.
    image: ghcr.io/kafbat/kafka-ui:v1.5.0
    ports:
      - '8080:8080'
    environment:
      KAFKA_CLUSTERS_0_NAME: orderstream
      KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS: kafka:19092
      # Apicurio's Confluent-compatible API, so the UI can decode the Avro payloads.
      KAFKA_CLUSTERS_0_SCHEMAREGISTRY: http://schema-registry:8080/apis/ccompat/v7
    depends_on:
      kafka:
        condition: service_healthy
      schema-registry:
        condition: service_healthy

  schema-registry-ui:
    image: apicurio/apicurio-registry-ui:3.3.3
    ports:
      # 8888 is the origin the registry's default CORS settings allow.
      - '8888:8080'
    environment:
      # The UI is JavaScript running in your browser, so it needs the registry's host address, not the
      # in-network one.
      REGISTRY_API_URL: http://localhost:8081/apis/registry/v3
    depends_on:
      schema-registry:
        condition: service_healthy

  # ---------------------------------------------------------------------------------------------------
  # Observability: metrics and alerts (Prometheus), a dashboard (Grafana), traces (Jaeger)
  # ---------------------------------------------------------------------------------------------------
  # Published on 127.0.0.1 only: Grafana lets anyone in as a viewer, and none of the three has a
  # password worth the name. Pinned by tag (a digest needs a registry to read it from); \`latest\` moves.
  prometheus:
    image: prom/prometheus:v3.15.0
    # The image's default command reads /etc/prometheus/prometheus.yml and keeps its data in /prometheus
    # (an anonymous volume, like Kafka's and PostgreSQL's).
    ports:
      - '127.0.0.1:9090:9090'
    volumes:
      # Generated with this file: one scrape job per service, by its compose name and port.
      - ./ops/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro
      # The alert rules, next to the configuration that names them (rule_files: alerts.yml).
      - ./ops/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro
    healthcheck:
      # The image is BusyBox-based: wget, no curl.
      test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:9090/-/ready']
      interval: 10s
      timeout: 5s
      retries: 10
      start_period: 10s

  grafana:
    image: grafana/grafana:13.2.3
    ports:
      - '127.0.0.1:3000:3000'
    environment:
      # Anyone who reaches the port sees the dashboards (read-only), without logging in.
      GF_AUTH_ANONYMOUS_ENABLED: 'true'
      GF_AUTH_ANONYMOUS_ORG_ROLE: Viewer
      # LOCAL DEVELOPMENT DEFAULTS ONLY (see the top of this file): the admin, to edit dashboards.
      GF_SECURITY_ADMIN_USER: orderstream
      GF_SECURITY_ADMIN_PASSWORD: orderstream
      # The provisioned dashboard is the home page.
      GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: /etc/grafana/dashboards/orderstream.json
    volumes:
      # The Prometheus datasource and the provider that loads the dashboards below.
      - ./ops/grafana/provisioning:/etc/grafana/provisioning:ro
      - ./ops/grafana/dashboards:/etc/grafana/dashboards:ro
    healthcheck:
      # The image installs curl (Alpine and Ubuntu variants alike).
      test: ['CMD', 'curl', '-fsS', '-o', '/dev/null', 'http://127.0.0.1:3000/api/health']
      interval: 10s
      timeout: 5s
      retries: 10
      start_period: 20s
    depends_on:
      prometheus:
        condition: service_healthy

  jaeger:
    # Jaeger v2 (built on the OpenTelemetry Collector), all in one: OTLP receivers, in-memory storage, UI.
    image: jaegertracing/jaeger:2.21.0
    ports:
      # The UI.
      - '127.0.0.1:16686:16686'
      # OTLP over HTTP; services started on the host reach it as http://localhost:4318.
      - '127.0.0.1:4318:4318'
    healthcheck:
      # The collector's health check extension; the image is Alpine-based (BusyBox wget).
      test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:13133/status']
      interval: 10s
      timeout: 5s
      retries: 10
      start_period: 10s

  # ---------------------------------------------------------------------------------------------------
  # The services: one Dockerfile, SERVICE selects the app (apps/<SERVICE>)
  # ---------------------------------------------------------------------------------------------------
`;
