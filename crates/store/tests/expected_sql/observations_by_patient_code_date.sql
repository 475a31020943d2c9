SELECT "t7"."rid", "t7"."seq", "t7"."s0" FROM (SELECT "t0"."rid" AS "rid", "t0"."seq" AS "seq", (SELECT MAX(+"t6"."high") FROM "idx_date" AS "t6"
 WHERE "t6"."rid" = "t0"."rid"
   AND +"t6"."param_hash" = ?1) AS "s0" FROM "resource" AS "t0"
 WHERE "t0"."rid" IN (SELECT "t1"."rid" FROM "idx_token" AS "t1"
 WHERE "t1"."patient_hash" = ?2
   AND "t1"."any_code_hash" = ?3
   AND "t1"."code_hash" = ?4 UNION ALL SELECT "t2"."rid" FROM "idx_reference" AS "t2"
 WHERE ("t2"."target_id" = ?5
   AND "t2"."target_type" = ?6)
   AND "t2"."param_hash" = ?7
   AND ("t2"."patient_hash" IS NULL OR "t2"."patient_hash" <> ?8))
   AND +"t0"."resource_type" = ?9
   AND EXISTS (SELECT 1 FROM "idx_reference" AS "t3"
 WHERE "t3"."rid" = "t0"."rid"
   AND "t3"."param_hash" = ?10
   AND +("t3"."target_id" = ?11
   AND "t3"."target_type" = ?12))
   AND EXISTS (SELECT 1 FROM "idx_token" AS "t4"
 WHERE "t4"."rid" = "t0"."rid"
   AND "t4"."param_hash" = ?13
   AND +"t4"."code_hash" = ?14)
   AND EXISTS (SELECT 1 FROM "idx_date" AS "t5"
 WHERE "t5"."rid" = "t0"."rid"
   AND "t5"."param_hash" = ?15
   AND +("t5"."low" >= ?16 OR "t5"."high" > ?17))
   AND +"t0"."deleted" = 0) AS "t7" ORDER BY "t7"."s0" DESC NULLS LAST, "t7"."rid" ASC LIMIT ?18
-- parameters:
--   ?1 = Int(-4206464531322029957)
--   ?2 = Int(-1493043231042520989)
--   ?3 = Int(6331101142531714112)
--   ?4 = Int(1203047197634205217)
--   ?5 = Text("p1")
--   ?6 = Text("Patient")
--   ?7 = Int(-618460074409814904)
--   ?8 = Int(-1493043231042520989)
--   ?9 = Text("Observation")
--   ?10 = Int(-618460074409814904)
--   ?11 = Text("p1")
--   ?12 = Text("Patient")
--   ?13 = Int(-9200567259766126162)
--   ?14 = Int(1203047197634205217)
--   ?15 = Int(-4206464531322029957)
--   ?16 = Int(1704067200000)
--   ?17 = Int(1704153599999)
--   ?18 = Int(51)
-- query plan:
--   SEARCH t0 USING INTEGER PRIMARY KEY (rowid=?)
--   LIST SUBQUERY 3
--   COMPOUND QUERY
--   LEFT-MOST SUBQUERY
--   SEARCH t1 USING COVERING INDEX idx_token_patient_code (patient_hash=? AND any_code_hash=? AND code_hash=?)
--   UNION ALL
--   SEARCH t2 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=?)
--   SEARCH t3 EXISTS USING PRIMARY KEY (rid=? AND param_hash=?)
--   SEARCH t4 EXISTS USING PRIMARY KEY (rid=? AND param_hash=?)
--   SEARCH t5 EXISTS USING PRIMARY KEY (rid=? AND param_hash=?)
--   CORRELATED SCALAR SUBQUERY 1
--   SEARCH t6 USING PRIMARY KEY (rid=?)
--   USE TEMP B-TREE FOR ORDER BY
