SELECT "t9"."rid", "t9"."seq", "t9"."s0" FROM (SELECT "t0"."rid" AS "rid", "t0"."seq" AS "seq", (SELECT MAX(+"t8"."high") FROM "idx_date" AS "t8"
 WHERE "t8"."rid" = "t0"."rid"
   AND +"t8"."param_hash" = ?1) AS "s0" FROM "resource" AS "t0"
 WHERE "t0"."rid" IN (SELECT "t1"."rid" FROM "idx_token" AS "t1"
 WHERE "t1"."patient_hash" = ?2
   AND "t1"."any_code_hash" = ?3
   AND "t1"."code_hash" = ?4 UNION ALL SELECT "t2"."rid" FROM "idx_reference" AS "t2"
 WHERE ("t2"."target_id" = ?5
   AND "t2"."target_type" = ?6)
   AND "t2"."param_hash" = ?7
   AND "t2"."patient_hash" IS NULL UNION ALL SELECT "t3"."rid" FROM "idx_reference" AS "t3"
 WHERE ("t3"."target_id" = ?8
   AND "t3"."target_type" = ?9)
   AND "t3"."param_hash" = ?10
   AND "t3"."patient_hash" < ?11 UNION ALL SELECT "t4"."rid" FROM "idx_reference" AS "t4"
 WHERE ("t4"."target_id" = ?12
   AND "t4"."target_type" = ?13)
   AND "t4"."param_hash" = ?14
   AND "t4"."patient_hash" > ?15)
   AND +"t0"."resource_type" = ?16
   AND EXISTS (SELECT 1 FROM "idx_reference" AS "t5"
 WHERE "t5"."rid" = "t0"."rid"
   AND "t5"."param_hash" = ?17
   AND +("t5"."target_id" = ?18
   AND "t5"."target_type" = ?19))
   AND EXISTS (SELECT 1 FROM "idx_token" AS "t6"
 WHERE "t6"."rid" = "t0"."rid"
   AND "t6"."param_hash" = ?20
   AND +"t6"."code_hash" = ?21)
   AND EXISTS (SELECT 1 FROM "idx_date" AS "t7"
 WHERE "t7"."rid" = "t0"."rid"
   AND "t7"."param_hash" = ?22
   AND +("t7"."low" >= ?23 OR "t7"."high" > ?24))
   AND +"t0"."deleted" = 0) AS "t9" ORDER BY "t9"."s0" DESC NULLS LAST, "t9"."rid" ASC LIMIT ?25
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
--   ?20 = Int(-9200567259766126162)
--   ?21 = Int(1203047197634205217)
--   ?22 = Int(-4206464531322029957)
--   ?23 = Int(1704067200000)
--   ?24 = Int(1704153599999)
--   ?25 = Int(51)
-- query plan:
--   SEARCH t0 USING INTEGER PRIMARY KEY (rowid=?)
--   LIST SUBQUERY 5
--   COMPOUND QUERY
--   LEFT-MOST SUBQUERY
--   SEARCH t1 USING COVERING INDEX idx_token_patient_code (patient_hash=? AND any_code_hash=? AND code_hash=?)
--   UNION ALL
--   SEARCH t2 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=? AND patient_hash=?)
--   UNION ALL
--   SEARCH t3 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=? AND patient_hash<?)
--   UNION ALL
--   SEARCH t4 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=? AND patient_hash>?)
--   SEARCH t5 EXISTS USING PRIMARY KEY (rid=? AND param_hash=?)
--   SEARCH t6 EXISTS USING PRIMARY KEY (rid=? AND param_hash=?)
--   SEARCH t7 EXISTS USING PRIMARY KEY (rid=? AND param_hash=?)
--   CORRELATED SCALAR SUBQUERY 1
--   SEARCH t8 USING PRIMARY KEY (rid=?)
--   USE TEMP B-TREE FOR ORDER BY
