SELECT "t0"."rid", "t0"."seq" FROM "resource" AS "t0"
 WHERE "t0"."rid" IN (SELECT "t1"."rid" FROM "idx_token" AS "t1"
 WHERE "t1"."code_hash" = ?1
   AND "t1"."patient_hash" = ?2)
   AND +"t0"."resource_type" = ?3
   AND +"t0"."patient_key" = ?4
   AND +"t0"."deleted" = 0 ORDER BY "t0"."rid" ASC LIMIT ?5
-- parameters:
--   ?1 = Int(1203047197634205217)
--   ?2 = Int(-1493043231042520989)
--   ?3 = Text("Observation")
--   ?4 = Text("p1")
--   ?5 = Int(51)
-- query plan:
--   SEARCH t0 USING INTEGER PRIMARY KEY (rowid=?)
--   LIST SUBQUERY 1
--   SEARCH t1 USING COVERING INDEX idx_token_code (code_hash=? AND patient_hash=?)
