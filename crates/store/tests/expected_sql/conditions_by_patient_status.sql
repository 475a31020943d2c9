SELECT "t0"."rid", "t0"."seq" FROM "resource" AS "t0"
 WHERE "t0"."rid" IN (SELECT "t1"."rid" FROM "idx_reference" AS "t1"
 WHERE ("t1"."target_id" = ?1
   AND "t1"."target_type" = ?2)
   AND "t1"."param_hash" = ?3)
   AND +"t0"."resource_type" = ?4
   AND EXISTS (SELECT 1 FROM "idx_token" AS "t2"
 WHERE "t2"."rid" = "t0"."rid"
   AND "t2"."param_hash" = ?5
   AND "t2"."any_code_hash" = ?6)
   AND +"t0"."deleted" = 0 ORDER BY "t0"."rid" ASC LIMIT ?7
-- parameters:
--   ?1 = Text("p1")
--   ?2 = Text("Patient")
--   ?3 = Int(6029144223343080079)
--   ?4 = Text("Condition")
--   ?5 = Int(8904918304886110444)
--   ?6 = Int(1362582096384193397)
--   ?7 = Int(51)
-- query plan:
--   SEARCH t0 USING INTEGER PRIMARY KEY (rowid=?)
--   LIST SUBQUERY 1
--   SEARCH t1 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=?)
--   SEARCH t2 EXISTS USING COVERING INDEX idx_token_any_code (any_code_hash=? AND rid=? AND param_hash=?)
