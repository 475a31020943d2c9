SELECT "t0"."rid", "t0"."seq" FROM "resource" AS "t0"
 WHERE "t0"."rid" IN (SELECT "t4"."rid" FROM "idx_token" AS "t4"
 WHERE "t4"."patient_hash" = ?1
   AND "t4"."any_code_hash" = ?2
   AND "t4"."code_hash" = ?3 UNION ALL SELECT "t1"."rid" FROM "idx_reference" AS "t1"
 WHERE ("t1"."target_id" = ?4
   AND "t1"."target_type" = ?5)
   AND "t1"."param_hash" IN rarray(?6)
   AND "t1"."patient_hash" IS NULL UNION ALL SELECT "t2"."rid" FROM "idx_reference" AS "t2"
 WHERE ("t2"."target_id" = ?7
   AND "t2"."target_type" = ?8)
   AND "t2"."param_hash" IN rarray(?9)
   AND "t2"."patient_hash" < ?10 UNION ALL SELECT "t3"."rid" FROM "idx_reference" AS "t3"
 WHERE ("t3"."target_id" = ?11
   AND "t3"."target_type" = ?12)
   AND "t3"."param_hash" IN rarray(?13)
   AND "t3"."patient_hash" > ?14)
   AND +"t0"."resource_type" = ?15
   AND (+"t0"."patient_key" = ?16 OR EXISTS (SELECT 1 FROM "idx_reference" AS "t7"
 WHERE "t7"."rid" = "t0"."rid"
   AND "t7"."param_hash" IN rarray(?17)
   AND +("t7"."target_id" = ?18
   AND "t7"."target_type" = ?19)))
   AND ("t0"."rid" IN (SELECT "t5"."rid" FROM "idx_token" AS "t5"
 WHERE "t5"."patient_hash" = ?20
   AND "t5"."any_code_hash" = ?21
   AND "t5"."code_hash" = ?22) OR EXISTS (SELECT 1 FROM "idx_token" AS "t6"
 WHERE "t6"."rid" = "t0"."rid"
   AND "t6"."param_hash" = ?23
   AND +"t6"."code_hash" = ?24))
   AND +"t0"."deleted" = 0 ORDER BY "t0"."rid" ASC LIMIT ?25
-- parameters:
--   ?1 = Int(-1493043231042520989)
--   ?2 = Int(6331101142531714112)
--   ?3 = Int(1203047197634205217)
--   ?4 = Text("p1")
--   ?5 = Text("Patient")
--   ?6 = IntList([7539579413257918877, -832851807554080657])
--   ?7 = Text("p1")
--   ?8 = Text("Patient")
--   ?9 = IntList([7539579413257918877, -832851807554080657])
--   ?10 = Int(-1493043231042520989)
--   ?11 = Text("p1")
--   ?12 = Text("Patient")
--   ?13 = IntList([7539579413257918877, -832851807554080657])
--   ?14 = Int(-1493043231042520989)
--   ?15 = Text("Observation")
--   ?16 = Text("p1")
--   ?17 = IntList([7539579413257918877, -832851807554080657])
--   ?18 = Text("p1")
--   ?19 = Text("Patient")
--   ?20 = Int(-1493043231042520989)
--   ?21 = Int(6331101142531714112)
--   ?22 = Int(1203047197634205217)
--   ?23 = Int(-9200567259766126162)
--   ?24 = Int(1203047197634205217)
--   ?25 = Int(51)
-- query plan:
--   SEARCH t0 USING INTEGER PRIMARY KEY (rowid=?)
--   LIST SUBQUERY 7
--   COMPOUND QUERY
--   LEFT-MOST SUBQUERY
--   SEARCH t4 USING COVERING INDEX idx_token_patient_code (patient_hash=? AND any_code_hash=? AND code_hash=?)
--   UNION ALL
--   SEARCH t1 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=? AND patient_hash=?)
--   LIST SUBQUERY 2
--   SCAN rarray VIRTUAL TABLE INDEX 1:
--   UNION ALL
--   SEARCH t2 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=? AND patient_hash<?)
--   LIST SUBQUERY 4
--   SCAN rarray VIRTUAL TABLE INDEX 1:
--   UNION ALL
--   SEARCH t3 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=? AND patient_hash>?)
--   LIST SUBQUERY 6
--   SCAN rarray VIRTUAL TABLE INDEX 1:
--   CORRELATED SCALAR SUBQUERY 9
--   SEARCH t7 USING PRIMARY KEY (rid=? AND param_hash=?)
--   LIST SUBQUERY 8
--   SCAN rarray VIRTUAL TABLE INDEX 1:
--   LIST SUBQUERY 10
--   SEARCH t5 USING COVERING INDEX idx_token_patient_code (patient_hash=? AND any_code_hash=? AND code_hash=?)
--   CREATE BLOOM FILTER
--   CORRELATED SCALAR SUBQUERY 11
--   SEARCH t6 USING PRIMARY KEY (rid=? AND param_hash=?)
