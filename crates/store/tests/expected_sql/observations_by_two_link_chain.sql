SELECT "t2"."rid", "t2"."seq", "t0"."rid" FROM "resource" AS "t0" JOIN "idx_reference" AS "t1" ON ("t1"."target_id" = "t0"."id"
   AND "t1"."target_type" = ?1
   AND "t1"."param_hash" = ?2) JOIN "resource" AS "t2" ON "t2"."rid" = "t1"."rid"
 WHERE "t0"."rid" IN (SELECT "t3"."rid" FROM "idx_reference" AS "t3"
 WHERE "t3"."target_id" IN (SELECT "t4"."id" FROM "resource" AS "t4"
 WHERE "t4"."rid" IN (SELECT "t5"."rid" FROM "idx_string" AS "t5"
 WHERE ("t5"."normalized" >= ?3
   AND "t5"."normalized" < ?4)
   AND "t5"."param_hash" = ?5)
   AND +"t4"."resource_type" = ?6
   AND +"t4"."deleted" = 0)
   AND "t3"."target_type" = ?7
   AND "t3"."param_hash" = ?8)
   AND +"t0"."resource_type" = ?9
   AND +"t0"."deleted" = 0
   AND +"t2"."resource_type" = ?10
   AND +"t2"."deleted" = 0
   AND NOT (EXISTS (SELECT 1 FROM "idx_reference" AS "t6" JOIN "resource" AS "t7" ON ("t7"."resource_type" = "t6"."target_type"
   AND "t7"."id" = "t6"."target_id")
 WHERE "t6"."rid" = "t2"."rid"
   AND "t6"."param_hash" = ?11
   AND "t6"."target_type" = ?12
   AND +"t7"."deleted" = 0
   AND ((+"t7"."rid" < "t0"."rid"
   AND EXISTS (SELECT 1 FROM "idx_reference" AS "t8" JOIN "resource" AS "t9" ON ("t9"."resource_type" = "t8"."target_type"
   AND "t9"."id" = "t8"."target_id")
 WHERE "t8"."rid" = "t7"."rid"
   AND "t8"."param_hash" = ?13
   AND "t8"."target_type" = ?14
   AND +"t9"."deleted" = 0
   AND EXISTS (SELECT 1 FROM "idx_string" AS "t10"
 WHERE "t10"."rid" = "t9"."rid"
   AND "t10"."param_hash" = ?15
   AND +("t10"."normalized" >= ?16
   AND "t10"."normalized" < ?17)))) OR (+"t7"."rid" = "t0"."rid"
   AND +"t6"."ord" < "t1"."ord")))) ORDER BY "t0"."rid" ASC, "t2"."rid" ASC LIMIT ?18
-- parameters:
--   ?1 = Text("Patient")
--   ?2 = Int(-618460074409814904)
--   ?3 = Text("beta")
--   ?4 = Text("beta\u{10ffff}")
--   ?5 = Int(-9156782567255429421)
--   ?6 = Text("Organization")
--   ?7 = Text("Organization")
--   ?8 = Int(5643659545651379317)
--   ?9 = Text("Patient")
--   ?10 = Text("Observation")
--   ?11 = Int(-618460074409814904)
--   ?12 = Text("Patient")
--   ?13 = Int(5643659545651379317)
--   ?14 = Text("Organization")
--   ?15 = Int(-9156782567255429421)
--   ?16 = Text("beta")
--   ?17 = Text("beta\u{10ffff}")
--   ?18 = Int(51)
-- query plan:
--   SEARCH t0 USING INTEGER PRIMARY KEY (rowid=?)
--   LIST SUBQUERY 3
--   SEARCH t3 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=?)
--   LIST SUBQUERY 2
--   SEARCH t4 USING INTEGER PRIMARY KEY (rowid=?)
--   LIST SUBQUERY 1
--   SEARCH t5 USING COVERING INDEX idx_string_prefix (param_hash=? AND normalized>? AND normalized<?)
--   SEARCH t1 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=?)
--   SEARCH t2 USING INTEGER PRIMARY KEY (rowid=?)
--   CORRELATED SCALAR SUBQUERY 6
--   SEARCH t6 USING PRIMARY KEY (rid=? AND param_hash=?)
--   SEARCH t7 USING INDEX sqlite_autoindex_resource_1 (resource_type=? AND id=?)
--   CORRELATED SCALAR SUBQUERY 5
--   SEARCH t8 USING PRIMARY KEY (rid=? AND param_hash=?)
--   SEARCH t9 USING INDEX sqlite_autoindex_resource_1 (resource_type=? AND id=?)
--   SEARCH t10 EXISTS USING PRIMARY KEY (rid=? AND param_hash=?)
--   USE TEMP B-TREE FOR LAST TERM OF ORDER BY
