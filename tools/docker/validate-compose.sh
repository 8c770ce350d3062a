#!/usr/bin/env bash
# Statically validates docker-compose.yml (schema, interpolation, paths) without a Docker engine.
#
#   tools/docker/validate-compose.sh [compose-file]      default: docker-compose.yml at the repository root
#
# Uses the Compose v2 plugin (`docker compose`) when present. Otherwise Debian's `docker-compose` package
# (v1.29, which understands the Compose Specification), installing it first if it is missing; that needs
# root or sudo and apt, as on CI. `config` only parses and resolves the file: it never contacts an engine.
# Exits non-zero when the file is invalid.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
compose_file="${1:-${repo_root}/docker-compose.yml}"

if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
else
  if ! command -v docker-compose >/dev/null 2>&1; then
    echo "validate-compose: docker-compose not found; installing Debian's docker-compose package" >&2
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
  fi
  compose=(docker-compose)
fi

version="$("${compose[@]}" version --short 2>/dev/null || "${compose[@]}" version | head -n 1)"
echo "validate-compose: ${compose[*]} ${version}" >&2
# --project-directory: relative paths (build context, bind mounts) resolve against the file's folder,
# whatever the caller's working directory.
"${compose[@]}" --project-directory "$(dirname "${compose_file}")" -f "${compose_file}" config -q
echo "validate-compose: ${compose_file} is valid" >&2
