#!/usr/bin/env bash
# Installs what StockSentry needs on a bare Debian machine that has the Swift toolchain:
#   librdkafka-dev + pkg-config (to build), kcat (cross-checks), and with --python the repo's
#   .venv with confluent-kafka and jsonschema (scripts/python-env.sh).
# Idempotent: does nothing that is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

want_python=false
[ "${1:-}" = "--python" ] && want_python=true

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        echo "install-deps: need root (or sudo) to run: $*" >&2; exit 1
    fi
}

packages=()
pkg-config --exists rdkafka 2>/dev/null || packages+=(librdkafka-dev)
command -v pkg-config >/dev/null || packages+=(pkg-config)
if $want_python; then
    command -v kcat >/dev/null || packages+=(kcat)
fi
if [ ${#packages[@]} -gt 0 ]; then
    echo "install-deps: installing ${packages[*]} with apt-get" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
fi

if $want_python; then
    scripts/python-env.sh >/dev/null
fi
