SELECT "t0"."rid", "t0"."seq" FROM "resource" AS "t0"
 WHERE "t0"."rid" IN (SELECT "t1"."rid" FROM "idx_token" AS "t1"
 WHERE "t1"."patient_hash" = ?1
   AND "t1"."any_code_hash" = ?2
   AND "t1"."code_hash" = ?3)
   AND +"t0"."resource_type" = ?4
   AND +"t0"."patient_key" = ?5
   AND EXISTS (SELECT 1 FROM "idx_token" AS "t2"
 WHERE "t2"."rid" = "t0"."rid"
   AND "t2"."param_hash" = ?6
   AND +"t2"."code_hash" = ?7)
   AND +"t0"."deleted" = 0 ORDER BY "t0"."rid" ASC LIMIT ?8
-- parameters:
--   ?1 = Int(-1493043231042520989)
--   ?2 = Int(6331101142531714112)
--   ?3 = Int(1203047197634205217)
--   ?4 = Text("Observation")
--   ?5 = Text("p1")
--   ?6 = Int(-9200567259766126162)
--   ?7 = Int(1203047197634205217)
--   ?8 = Int(51)
-- query plan:
--   SEARCH t0 USING INTEGER PRIMARY KEY (rowid=?)
--   LIST SUBQUERY 1
--   SEARCH t1 USING COVERING INDEX idx_token_patient_code (patient_hash=? AND any_code_hash=? AND code_hash=?)
--   SEARCH t2 EXISTS USING PRIMARY KEY (rid=? AND param_hash=?)
