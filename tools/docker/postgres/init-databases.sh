#!/usr/bin/env bash
# Creates one database per service (database-per-service: each owns its tables, outbox and inbox).
#
# The postgres image runs this once, on first start with an empty data directory, as the
# POSTGRES_USER superuser. ORDERSTREAM_DATABASES (space-separated) comes from docker-compose.yml,
# so adding a service means adding its name there.
# No `set -u`: if the file lost its executable bit, the image sources it into its own entrypoint.
set -eo pipefail

: "${ORDERSTREAM_DATABASES:?set ORDERSTREAM_DATABASES to the space-separated database names}"

for database in ${ORDERSTREAM_DATABASES}; do
  # Names become SQL identifiers, so accept only plain lower-case names rather than quoting input.
  if [[ ! "${database}" =~ ^[a-z][a-z0-9_]*$ ]]; then
    echo "init-databases: invalid database name '${database}'" >&2
    exit 1
  fi
  echo "init-databases: creating database ${database} owned by ${POSTGRES_USER}"
  psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER}" --dbname "${POSTGRES_DB:-${POSTGRES_USER}}" \
    -c "CREATE DATABASE ${database} OWNER ${POSTGRES_USER}"
done
