-- wrk workload: one search query template, filled per request with a random
-- line of the sample file. Template placeholders: {id} (a Patient id) and
-- {family} (a family name prefix) -- the sample file has "id<TAB>family".
local template = os.getenv("BENCH_QUERY")
local samples = {}
for line in io.lines(os.getenv("BENCH_SAMPLES")) do
  local id, family = line:match("^([^\t]+)\t([^\t]+)$")
  if id then samples[#samples + 1] = { id = id, family = family } end
end
math.randomseed(os.time())
request = function()
  local s = samples[math.random(1, #samples)]
  local path = template:gsub("{id}", s.id):gsub("{family}", s.family)
  return wrk.format("GET", path, { ["Accept"] = "application/fhir+json" })
end
