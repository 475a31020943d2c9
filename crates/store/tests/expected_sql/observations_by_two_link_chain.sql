SELECT "t0"."rid", "t0"."seq" FROM "resource" AS "t0"
 WHERE "t0"."rid" IN (SELECT "t1"."rid" FROM "idx_reference" AS "t1"
 WHERE "t1"."target_id" IN (SELECT "t2"."id" FROM "resource" AS "t2"
 WHERE "t2"."rid" IN (SELECT "t3"."rid" FROM "idx_reference" AS "t3"
 WHERE "t3"."target_id" IN (SELECT "t4"."id" FROM "resource" AS "t4"
 WHERE "t4"."rid" IN (SELECT "t5"."rid" FROM "idx_string" AS "t5"
 WHERE ("t5"."normalized" >= ?1
   AND "t5"."normalized" < ?2)
   AND "t5"."param_hash" = ?3)
   AND +"t4"."resource_type" = ?4
   AND +"t4"."deleted" = 0)
   AND "t3"."target_type" = ?5
   AND "t3"."param_hash" = ?6)
   AND +"t2"."resource_type" = ?7
   AND +"t2"."deleted" = 0)
   AND "t1"."target_type" = ?8
   AND "t1"."param_hash" = ?9)
   AND +"t0"."resource_type" = ?10
   AND +"t0"."deleted" = 0 ORDER BY "t0"."rid" ASC LIMIT ?11
-- parameters:
--   ?1 = Text("beta")
--   ?2 = Text("beta\u{10ffff}")
--   ?3 = Int(-9156782567255429421)
--   ?4 = Text("Organization")
--   ?5 = Text("Organization")
--   ?6 = Int(5643659545651379317)
--   ?7 = Text("Patient")
--   ?8 = Text("Patient")
--   ?9 = Int(-618460074409814904)
--   ?10 = Text("Observation")
--   ?11 = Int(51)
-- query plan:
--   SEARCH t0 USING INTEGER PRIMARY KEY (rowid=?)
--   LIST SUBQUERY 5
--   SEARCH t1 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=?)
--   LIST SUBQUERY 4
--   SEARCH t2 USING INTEGER PRIMARY KEY (rowid=?)
--   LIST SUBQUERY 3
--   SEARCH t3 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=?)
--   LIST SUBQUERY 2
--   SEARCH t4 USING INTEGER PRIMARY KEY (rowid=?)
--   LIST SUBQUERY 1
--   SEARCH t5 USING COVERING INDEX idx_string_prefix (param_hash=? AND normalized>? AND normalized<?)
