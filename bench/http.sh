#!/usr/bin/env bash
# HTTP benchmark of the core server over loopback, driven by wrk.
#   bench/http.sh [DURATION_SECONDS] [CONNECTIONS]
# On SQLite (a fresh data directory) by default; on PostgreSQL with
# BENCH_DATABASE=postgres://... (an empty database).
# Installs wrk (Debian) if missing, builds the release binary, starts
# `tessera serve` on a fresh data directory, seeds patients, and runs:
#   1. create (POST Patient, durable group commits)
#   2. read-by-id (GET Patient/{id})
# Prints each wrk report; copy the figures into BENCHMARKS.md with the
# machine, date and this command.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-20}
connections=${2:-64}
patients=${BENCH_PATIENTS:-1000}
port=${BENCH_PORT:-18181}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/tessera-target}

if ! command -v wrk >/dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
cargo build --release -q -p tessera
bin="$CARGO_TARGET_DIR/release/tessera"
data=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$data"' EXIT
db_args=()
if [ -n "${BENCH_DATABASE:-}" ]; then db_args=(--database "$BENCH_DATABASE"); fi
echo "== backend: $([ -n "${BENCH_DATABASE:-}" ] && echo PostgreSQL || echo SQLite)"
"$bin" serve "${db_args[@]}" --data-dir "$data" --listen "127.0.0.1:$port" --log warn > "$data/serve.out" &
server=$!
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done

echo "== seeding $patients patients"
seq 0 $((patients - 1)) | xargs -P 4 -I{} curl -sf -o /dev/null -X PUT \
  "http://127.0.0.1:$port/fhir/Patient/bench-{}" -H 'Content-Type: application/fhir+json' \
  -d '{"resourceType":"Patient","id":"bench-{}","active":true,"name":[{"family":"Bench","given":["Patient{}"]}],"gender":"female","birthDate":"1980-01-01"}'

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "== create: wrk -t2 -c$connections -d${duration}s --latency -s bench/create.lua"
wrk -t2 -c"$connections" -d"${duration}s" --latency -s bench/create.lua "http://127.0.0.1:$port"
echo "== read-by-id: wrk -t2 -c$connections -d${duration}s --latency -s bench/read.lua"
BENCH_PATIENTS=$patients wrk -t2 -c"$connections" -d"${duration}s" --latency -s bench/read.lua "http://127.0.0.1:$port"
echo "== stored versions: $(curl -s "http://127.0.0.1:$port/fhir/_history?_summary=count" | sed -e 's/.*"total":\([0-9]*\).*/\1/')"
