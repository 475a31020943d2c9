-- wrk workload: read-by-id of the Patients seeded by bench/http.sh
-- (ids bench-0 .. bench-(N-1)), chosen at random.
local count = tonumber(os.getenv("BENCH_PATIENTS") or "1000")
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/fhir/Patient/bench-" .. math.random(0, count - 1),
    { ["Accept"] = "application/fhir+json" })
end
