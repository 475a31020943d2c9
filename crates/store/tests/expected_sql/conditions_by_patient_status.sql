SELECT "t0"."rid", "t0"."seq" FROM "resource" AS "t0"
 WHERE "t0"."rid" IN (SELECT "t1"."rid" FROM "idx_token" AS "t1"
 WHERE "t1"."patient_hash" = ?1
   AND "t1"."any_code_hash" = ?2 UNION ALL SELECT "t2"."rid" FROM "idx_reference" AS "t2"
 WHERE ("t2"."target_id" = ?3
   AND "t2"."target_type" = ?4)
   AND "t2"."param_hash" = ?5
   AND ("t2"."patient_hash" IS NULL OR "t2"."patient_hash" <> ?6))
   AND +"t0"."resource_type" = ?7
   AND EXISTS (SELECT 1 FROM "idx_reference" AS "t3"
 WHERE "t3"."rid" = "t0"."rid"
   AND "t3"."param_hash" = ?8
   AND +("t3"."target_id" = ?9
   AND "t3"."target_type" = ?10))
   AND EXISTS (SELECT 1 FROM "idx_token" AS "t4"
 WHERE "t4"."rid" = "t0"."rid"
   AND "t4"."param_hash" = ?11
   AND +"t4"."any_code_hash" = ?12)
   AND +"t0"."deleted" = 0 ORDER BY "t0"."rid" ASC LIMIT ?13
-- parameters:
--   ?1 = Int(-1493043231042520989)
--   ?2 = Int(1362582096384193397)
--   ?3 = Text("p1")
--   ?4 = Text("Patient")
--   ?5 = Int(6029144223343080079)
--   ?6 = Int(-1493043231042520989)
--   ?7 = Text("Condition")
--   ?8 = Int(6029144223343080079)
--   ?9 = Text("p1")
--   ?10 = Text("Patient")
--   ?11 = Int(8904918304886110444)
--   ?12 = Int(1362582096384193397)
--   ?13 = Int(51)
-- query plan:
--   SEARCH t0 USING INTEGER PRIMARY KEY (rowid=?)
--   LIST SUBQUERY 2
--   COMPOUND QUERY
--   LEFT-MOST SUBQUERY
--   SEARCH t1 USING COVERING INDEX idx_token_patient_code (patient_hash=? AND any_code_hash=?)
--   UNION ALL
--   SEARCH t2 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=?)
--   SEARCH t3 EXISTS USING PRIMARY KEY (rid=? AND param_hash=?)
--   SEARCH t4 EXISTS USING PRIMARY KEY (rid=? AND param_hash=?)
