SELECT "t0"."rid", "t0"."seq" FROM "resource" AS "t0"
 WHERE "t0"."rid" IN (SELECT "t1"."rid" FROM "idx_reference" AS "t1"
 WHERE ("t1"."target_id" = ?1
   AND "t1"."target_type" = ?2)
   AND "t1"."param_hash" = ?3)
   AND +"t0"."resource_type" = ?4
   AND +"t0"."deleted" = 0 ORDER BY "t0"."rid" ASC LIMIT ?5
-- parameters:
--   ?1 = Text("p1")
--   ?2 = Text("Patient")
--   ?3 = Int(-3551284368324709486)
--   ?4 = Text("MedicationRequest")
--   ?5 = Int(51)
-- query plan:
--   SEARCH t0 USING INTEGER PRIMARY KEY (rowid=?)
--   LIST SUBQUERY 1
--   SEARCH t1 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=?)
