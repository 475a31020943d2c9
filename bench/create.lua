-- wrk workload: create (POST) a realistic Patient; every request is a new
-- resource with a server-assigned id, validated and durably committed.
local body = [[{"resourceType":"Patient","identifier":[{"system":"urn:oid:1.2.36.146.595.217.0.1","value":"12345"}],"active":true,"name":[{"use":"official","family":"Chalmers","given":["Peter","James"]}],"telecom":[{"system":"phone","value":"(03) 5555 6473","use":"work"}],"gender":"male","birthDate":"1974-12-25","address":[{"use":"home","line":["534 Erewhon St"],"city":"PleasantVille","state":"Vic","postalCode":"3999"}]}]]
request = function()
  return wrk.format("POST", "/fhir/Patient",
    { ["Content-Type"] = "application/fhir+json", ["Prefer"] = "return=minimal" }, body)
end
