# One recipe for every orderstream service; the build argument SERVICE picks the app folder:
#
#   docker build --build-arg SERVICE=orders -t orderstream-orders .
#
# docker-compose.yml builds all four services this way. Stages:
#   manifests  package.json files only, so the install layers below stay cached until a manifest changes
#   deps       full install (compilers, Nx) from the lockfile; identical for every service, so built once
#   build      Nx builds the service and, before it, the libraries it depends on
#   prod-deps  production dependencies of this service's own workspaces, nothing else
#   runtime    Node, those dependencies and the compiled JavaScript, run as the unprivileged `node` user
#
# Build arguments and secrets:
#   SERVICE     required: the folder under apps/ (orders, payments, inventory, outbox-relay)
#   NODE_IMAGE  the Node image every stage starts from; node:24-slim by default. A machine without a
#               registry passes a local stand-in (tools/docker/src/images builds one, see docs/docker.md).
#   secret ca_bundle  optional: a CA bundle (PEM) for `npm ci`, for networks whose TLS is intercepted,
#               e.g. `--secret id=ca_bundle,src=$NODE_EXTRA_CA_CERTS`. A secret is mounted only into the
#               RUN that asks for it and never written to a layer, so no image carries it.
#
# No `# syntax=docker/dockerfile:1` line: it makes BuildKit pull the frontend image from a registry. The
# frontend built into Docker Engine 20.10 and later understands every instruction used here.
#
# Node 24 matches the workspace's engines and .nvmrc (tools/docker/src/compose.spec.ts checks the major).
# Pin a digest (node:24-slim@sha256:...) if you need bit-for-bit reproducible images.

ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS base
WORKDIR /app

# ---------------------------------------------------------------------------------------------------
FROM base AS manifests
ARG SERVICE
COPY . /src
WORKDIR /src
# /manifests/all: every workspace, for the build. /manifests/service: only the workspaces SERVICE needs at
# runtime (see tools/docker/workspaces.mjs for why npm's own --workspace filter is not enough).
# `cp --parents` keeps each file's folder, which a COPY glob would flatten.
# `${SERVICE:-}`: without the argument, workspaces.mjs says what to pass (plain `set -u` would only say
# "SERVICE: parameter not set").
RUN set -eu; \
    all="$(node tools/docker/workspaces.mjs dirs)"; \
    service="$(node tools/docker/workspaces.mjs dirs "${SERVICE:-}")"; \
    mkdir -p /manifests/all /manifests/service; \
    cp package.json package-lock.json .npmrc /manifests/all/; \
    cp package.json package-lock.json .npmrc /manifests/service/; \
    for dir in $all; do cp --parents "$dir/package.json" /manifests/all/; done; \
    for dir in $service; do cp --parents "$dir/package.json" /manifests/service/; done

# ---------------------------------------------------------------------------------------------------
FROM base AS deps
COPY --from=manifests /manifests/all/ ./
# npm ci installs exactly the lockfile and, with npm 11, runs only the install scripts that the root
# package.json `allowScripts` permits. The cache mount keeps downloaded tarballs between builds; the
# optional ca_bundle secret (see the top) is trusted by this one command only.
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    --mount=type=secret,id=ca_bundle,required=false \
    if [ -s /run/secrets/ca_bundle ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca_bundle; fi; \
    npm ci

# ---------------------------------------------------------------------------------------------------
FROM deps AS build
ARG SERVICE
# .dockerignore keeps host node_modules, dist and caches out, so this cannot clobber the install above.
COPY . .
# `build` depends on `^build` (nx.json), so the service's libraries are compiled first.
RUN npx nx run "@orderstream/${SERVICE}:build"
# Collect the compiled output of exactly the workspaces the runtime install below links.
RUN set -eu; \
    mkdir /out; \
    for dir in $(node tools/docker/workspaces.mjs dirs "${SERVICE}"); do \
      cp -r --parents "$dir/dist" /out/; \
    done; \
    find /out -name '*.tsbuildinfo' -delete

# ---------------------------------------------------------------------------------------------------
FROM base AS prod-deps
COPY --from=manifests /manifests/service/ ./
# Only this service's manifests are present, so npm skips the lockfile entries of every other workspace
# (test containers, embedded PostgreSQL, build tools) while still installing the locked versions.
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    --mount=type=secret,id=ca_bundle,required=false \
    if [ -s /run/secrets/ca_bundle ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca_bundle; fi; \
    npm ci --omit=dev

# ---------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ENV NODE_ENV=production
# Files stay owned by root: the `node` user can read and run them but not change them.
COPY --from=prod-deps /app /app
COPY --from=build /out /app
# Same working directory as `npm start` in the workspace (apps/<service>), so relative paths the service
# may use behave exactly as they do natively. The command is therefore apps/<service>/dist/main.js.
WORKDIR /app/apps/${SERVICE}
USER node
# No HEALTHCHECK here: docker-compose.yml defines one per service (GET /health/ready on the service's PORT).
# Exec form: no shell in between, so SIGTERM reaches node and the service shuts down gracefully. Compose
# also sets `init: true`, so a minimal init forwards signals and reaps zombies.
CMD ["node", "dist/main.js"]
