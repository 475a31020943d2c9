#!/usr/bin/env bash
# Search benchmark over a generated health network, over HTTP, with wrk.
#   bench/search.sh PATIENTS [DURATION_SECONDS]
# On SQLite by default; on PostgreSQL with BENCH_DATABASE=postgres://... (an empty
# database, or one this script already imported into with the same BENCH_DIR).
# Generates PATIENTS patients (`tessera generate`, about 1,000 resources each), imports them
# (`tessera import`, timed), serves them, samples patient ids and family names, then runs
# each clinical query at 16 and 64 connections and prints wrk's latency distribution.
# Run it for 100 and 1000 patients to see whether latency stays flat as the store grows.
set -euo pipefail
cd "$(dirname "$0")/.."
patients=${1:-1000}
duration=${2:-15}
port=${BENCH_PORT:-18282}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/tessera-target}
if ! command -v wrk >/dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
cargo build --release -q -p tessera
bin="$CARGO_TARGET_DIR/release/tessera"
work=${BENCH_DIR:-$(mktemp -d)}
data="$work/data"
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), $(date -u +%Y-%m-%dT%H:%MZ)"
if [ ! -d "$work/network" ]; then
  echo "== generate: tessera generate --patients $patients --seed 1 --out $work/network"
  /usr/bin/time -f "   %e s, peak RSS %M KiB" "$bin" generate --patients "$patients" --seed 1 --out "$work/network"
fi
db_args=()
marker="$data/tessera.db"
if [ -n "${BENCH_DATABASE:-}" ]; then
  db_args=(--database "$BENCH_DATABASE")
  marker="$data/imported-into-postgres"
fi
echo "== backend: $([ -n "${BENCH_DATABASE:-}" ] && echo PostgreSQL || echo SQLite)"
if [ ! -e "$marker" ]; then
  echo "== import: tessera import --data-dir $data $work/network"
  /usr/bin/time -f "   %e s, peak RSS %M KiB" "$bin" import "${db_args[@]}" --data-dir "$data" "$work/network" | grep -E "^(built|imported) "
  if [ -n "${BENCH_DATABASE:-}" ]; then
    # Searched right after a load, PostgreSQL's autovacuum is still working through the
    # fresh tables (and their visibility maps are empty), so the figures read low; vacuum
    # now, as a settled server would have.
    if command -v psql >/dev/null; then
      echo "== VACUUM ANALYZE (PostgreSQL, after the load)"
      /usr/bin/time -f "   %e s" psql "$BENCH_DATABASE" -qc "VACUUM ANALYZE"
    else
      echo "!! no psql here: searching without a VACUUM after the load (figures read low)"
    fi
    touch "$marker"
  fi
fi
"$bin" serve "${db_args[@]}" --data-dir "$data" --listen "127.0.0.1:$port" --log warn > /dev/null &
server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
base="http://127.0.0.1:$port"

# Samples: "id<TAB>family prefix" of up to 1000 patients.
curl -sf "$base/fhir/Patient?_count=1000&_elements=name" \
  | grep -o '"id":"[^"]*"\|"family":"[^"]*"' \
  | sed -e 's/"id":"\([^"]*\)"/\nID \1/' -e 's/"family":"\([^"]*\)"/F \1/' \
  | awk '$1=="ID"{id=$2} $1=="F" && id!=""{print id "\t" tolower(substr($2,1,3)); id=""}' > "$work/samples.tsv"
echo "== samples: $(wc -l < "$work/samples.tsv") patients; store: $(curl -sf "$base/fhir/_history?_summary=count" | grep -o '"total":[0-9]*')"

run() { # name template; BENCH_ONLY=text runs only the queries whose name holds it
  if [[ -n "${BENCH_ONLY:-}" && "$1" != *"$BENCH_ONLY"* ]]; then return; fi
  # A 3-second warm-up, not reported: the first requests of a query read its
  # pages into each reader's cache, and their latency is the cold start's, not
  # the steady state's (a p99 of 60-170 ms at 16 connections, 8 ms warm).
  BENCH_QUERY="$2" BENCH_SAMPLES="$work/samples.tsv" \
    wrk -t2 -c16 -d3s -s bench/search.lua "$base" > /dev/null
  for c in 16 64; do
    echo "== $1, $c connections: $2"
    BENCH_QUERY="$2" BENCH_SAMPLES="$work/samples.tsv" \
      wrk -t2 -c"$c" -d"${duration}s" --latency -s bench/search.lua "$base" \
      | grep -E "Requests/sec|  50%|  99%|Non-2xx|Socket errors"
  done
}
run "patient by name prefix" "/fhir/Patient?name={family}"
run "observations of a patient by LOINC code and date range, sorted by date" \
  "/fhir/Observation?patient={id}&code=http://loinc.org|29463-7&date=ge2015-01-01&date=lt2030-01-01&_sort=date"
run "conditions of a patient by clinical status" "/fhir/Condition?patient={id}&clinical-status=active"
run "medication requests of a patient with their medications" \
  "/fhir/MedicationRequest?patient={id}&_include=MedicationRequest:medication"
run "two-link chain: observations by their encounter's patient's family name" \
  "/fhir/Observation?encounter.patient.family={family}&_count=20"
run "\$everything of a patient, one page of up to 1,000 resources" \
  "/fhir/Patient/{id}/\$everything?_count=1000"
