SELECT "t0"."rid", "t0"."seq" FROM "resource" AS "t0"
 WHERE "t0"."patient_key" = ?1
   AND "t0"."resource_type" = ?2
   AND EXISTS (SELECT 1 FROM "idx_token" AS "t1"
 WHERE "t1"."rid" = "t0"."rid"
   AND "t1"."param_hash" = ?3
   AND +"t1"."code_hash" = ?4)
   AND +"t0"."deleted" = 0 ORDER BY "t0"."rid" ASC LIMIT ?5
-- parameters:
--   ?1 = Text("p1")
--   ?2 = Text("Observation")
--   ?3 = Int(-9200567259766126162)
--   ?4 = Int(1203047197634205217)
--   ?5 = Int(51)
-- query plan:
--   SEARCH t0 USING INDEX resource_by_patient (patient_key=? AND resource_type=?)
--   SEARCH t1 EXISTS USING PRIMARY KEY (rid=? AND param_hash=?)
