SELECT "t10"."rid", "t10"."seq", "t10"."s0" FROM (SELECT "t0"."rid" AS "rid", "t0"."seq" AS "seq", (SELECT MAX(+"t9"."high") FROM "idx_date" AS "t9"
 WHERE "t9"."rid" = "t0"."rid"
   AND +"t9"."param_hash" = ?1) AS "s0" FROM "resource" AS "t0"
 WHERE "t0"."rid" IN (SELECT "t4"."rid" FROM "idx_token" AS "t4"
 WHERE "t4"."patient_hash" = ?2
   AND "t4"."any_code_hash" = ?3
   AND "t4"."code_hash" = ?4 UNION ALL SELECT "t1"."rid" FROM "idx_reference" AS "t1"
 WHERE ("t1"."target_id" = ?5
   AND "t1"."target_type" = ?6)
   AND "t1"."param_hash" = ?7
   AND "t1"."patient_hash" IS NULL UNION ALL SELECT "t2"."rid" FROM "idx_reference" AS "t2"
 WHERE ("t2"."target_id" = ?8
   AND "t2"."target_type" = ?9)
   AND "t2"."param_hash" = ?10
   AND "t2"."patient_hash" < ?11 UNION ALL SELECT "t3"."rid" FROM "idx_reference" AS "t3"
 WHERE ("t3"."target_id" = ?12
   AND "t3"."target_type" = ?13)
   AND "t3"."param_hash" = ?14
   AND "t3"."patient_hash" > ?15)
   AND +"t0"."resource_type" = ?16
   AND EXISTS (SELECT 1 FROM "idx_reference" AS "t7"
 WHERE "t7"."rid" = "t0"."rid"
   AND "t7"."param_hash" = ?17
   AND +("t7"."target_id" = ?18
   AND "t7"."target_type" = ?19))
   AND ("t0"."rid" IN (SELECT "t5"."rid" FROM "idx_token" AS "t5"
 WHERE "t5"."patient_hash" = ?20
   AND "t5"."any_code_hash" = ?21
   AND "t5"."code_hash" = ?22) OR EXISTS (SELECT 1 FROM "idx_token" AS "t6"
 WHERE "t6"."rid" = "t0"."rid"
   AND "t6"."param_hash" = ?23
   AND +"t6"."code_hash" = ?24))
   AND EXISTS (SELECT 1 FROM "idx_date" AS "t8"
 WHERE "t8"."rid" = "t0"."rid"
   AND "t8"."param_hash" = ?25
   AND +("t8"."low" >= ?26 OR "t8"."high" > ?27))
   AND +"t0"."deleted" = 0) AS "t10" ORDER BY "t10"."s0" DESC NULLS LAST, "t10"."rid" ASC LIMIT ?28
-- parameters:
--   ?1 = Int(-4206464531322029957)
--   ?2 = Int(-1493043231042520989)
--   ?3 = Int(6331101142531714112)
--   ?4 = Int(1203047197634205217)
--   ?5 = Text("p1")
--   ?6 = Text("Patient")
--   ?7 = Int(-618460074409814904)
--   ?8 = Text("p1")
--   ?9 = Text("Patient")
--   ?10 = Int(-618460074409814904)
--   ?11 = Int(-1493043231042520989)
--   ?12 = Text("p1")
--   ?13 = Text("Patient")
--   ?14 = Int(-618460074409814904)
--   ?15 = Int(-1493043231042520989)
--   ?16 = Text("Observation")
--   ?17 = Int(-618460074409814904)
--   ?18 = Text("p1")
--   ?19 = Text("Patient")
--   ?20 = Int(-1493043231042520989)
--   ?21 = Int(6331101142531714112)
--   ?22 = Int(1203047197634205217)
--   ?23 = Int(-9200567259766126162)
--   ?24 = Int(1203047197634205217)
--   ?25 = Int(-4206464531322029957)
--   ?26 = Int(1704067200000)
--   ?27 = Int(1704153599999)
--   ?28 = Int(51)
-- query plan:
--   SEARCH t0 USING INTEGER PRIMARY KEY (rowid=?)
--   LIST SUBQUERY 5
--   COMPOUND QUERY
--   LEFT-MOST SUBQUERY
--   SEARCH t4 USING COVERING INDEX idx_token_patient_code (patient_hash=? AND any_code_hash=? AND code_hash=?)
--   UNION ALL
--   SEARCH t1 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=? AND patient_hash=?)
--   UNION ALL
--   SEARCH t2 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=? AND patient_hash<?)
--   UNION ALL
--   SEARCH t3 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=? AND patient_hash>?)
--   LIST SUBQUERY 7
--   SEARCH t5 USING COVERING INDEX idx_token_patient_code (patient_hash=? AND any_code_hash=? AND code_hash=?)
--   CREATE BLOOM FILTER
--   CORRELATED SCALAR SUBQUERY 8
--   SEARCH t6 USING PRIMARY KEY (rid=? AND param_hash=?)
--   SEARCH t7 EXISTS USING PRIMARY KEY (rid=? AND param_hash=?)
--   SEARCH t8 EXISTS USING PRIMARY KEY (rid=? AND param_hash=?)
--   CORRELATED SCALAR SUBQUERY 1
--   SEARCH t9 USING PRIMARY KEY (rid=?)
--   USE TEMP B-TREE FOR ORDER BY
