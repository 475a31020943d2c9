SELECT "t0"."rid", "t0"."seq" FROM "resource" AS "t0"
 WHERE "t0"."rid" IN (SELECT "t4"."rid" FROM "idx_token" AS "t4"
 WHERE "t4"."patient_hash" = ?1
   AND "t4"."any_code_hash" = ?2 UNION ALL SELECT "t1"."rid" FROM "idx_reference" AS "t1"
 WHERE ("t1"."target_id" = ?3
   AND "t1"."target_type" = ?4)
   AND "t1"."param_hash" = ?5
   AND "t1"."patient_hash" IS NULL UNION ALL SELECT "t2"."rid" FROM "idx_reference" AS "t2"
 WHERE ("t2"."target_id" = ?6
   AND "t2"."target_type" = ?7)
   AND "t2"."param_hash" = ?8
   AND "t2"."patient_hash" < ?9 UNION ALL SELECT "t3"."rid" FROM "idx_reference" AS "t3"
 WHERE ("t3"."target_id" = ?10
   AND "t3"."target_type" = ?11)
   AND "t3"."param_hash" = ?12
   AND "t3"."patient_hash" > ?13)
   AND +"t0"."resource_type" = ?14
   AND EXISTS (SELECT 1 FROM "idx_reference" AS "t7"
 WHERE "t7"."rid" = "t0"."rid"
   AND "t7"."param_hash" = ?15
   AND +("t7"."target_id" = ?16
   AND "t7"."target_type" = ?17))
   AND ("t0"."rid" IN (SELECT "t5"."rid" FROM "idx_token" AS "t5"
 WHERE "t5"."patient_hash" = ?18
   AND "t5"."any_code_hash" = ?19) OR EXISTS (SELECT 1 FROM "idx_token" AS "t6"
 WHERE "t6"."rid" = "t0"."rid"
   AND "t6"."param_hash" = ?20
   AND +"t6"."any_code_hash" = ?21))
   AND +"t0"."deleted" = 0 ORDER BY "t0"."rid" ASC LIMIT ?22
-- parameters:
--   ?1 = Int(-1493043231042520989)
--   ?2 = Int(1362582096384193397)
--   ?3 = Text("p1")
--   ?4 = Text("Patient")
--   ?5 = Int(6029144223343080079)
--   ?6 = Text("p1")
--   ?7 = Text("Patient")
--   ?8 = Int(6029144223343080079)
--   ?9 = Int(-1493043231042520989)
--   ?10 = Text("p1")
--   ?11 = Text("Patient")
--   ?12 = Int(6029144223343080079)
--   ?13 = Int(-1493043231042520989)
--   ?14 = Text("Condition")
--   ?15 = Int(6029144223343080079)
--   ?16 = Text("p1")
--   ?17 = Text("Patient")
--   ?18 = Int(-1493043231042520989)
--   ?19 = Int(1362582096384193397)
--   ?20 = Int(8904918304886110444)
--   ?21 = Int(1362582096384193397)
--   ?22 = Int(51)
-- query plan:
--   SEARCH t0 USING INTEGER PRIMARY KEY (rowid=?)
--   LIST SUBQUERY 4
--   COMPOUND QUERY
--   LEFT-MOST SUBQUERY
--   SEARCH t4 USING COVERING INDEX idx_token_patient_code (patient_hash=? AND any_code_hash=?)
--   UNION ALL
--   SEARCH t1 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=? AND patient_hash=?)
--   UNION ALL
--   SEARCH t2 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=? AND patient_hash<?)
--   UNION ALL
--   SEARCH t3 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=? AND patient_hash>?)
--   LIST SUBQUERY 6
--   SEARCH t5 USING COVERING INDEX idx_token_patient_code (patient_hash=? AND any_code_hash=?)
--   CREATE BLOOM FILTER
--   CORRELATED SCALAR SUBQUERY 7
--   SEARCH t6 USING PRIMARY KEY (rid=? AND param_hash=?)
--   SEARCH t7 EXISTS USING PRIMARY KEY (rid=? AND param_hash=?)
