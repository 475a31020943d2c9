SELECT "t2"."rid", "t2"."seq", "t0"."rid" FROM "resource" AS "t0" JOIN "idx_reference" AS "t1" ON ("t1"."target_id" = "t0"."id"
   AND "t1"."target_type" = "t0"."resource_type"
   AND "t1"."param_hash" = ?1) JOIN "resource" AS "t2" ON "t2"."rid" = "t1"."rid"
 WHERE "t0"."rid" IN (SELECT "t3"."rid" FROM "idx_reference" AS "t3"
 WHERE "t3"."target_id" IN (SELECT "t4"."id" FROM "resource" AS "t4"
 WHERE "t4"."rid" IN (SELECT "t5"."rid" FROM "idx_string" AS "t5"
 WHERE ("t5"."normalized" >= ?2
   AND "t5"."normalized" < ?3)
   AND "t5"."param_hash" = ?4)
   AND +"t4"."resource_type" = ?5
   AND +"t4"."deleted" = 0)
   AND "t3"."target_type" = ?6
   AND "t3"."param_hash" = ?7)
   AND +"t0"."resource_type" = ?8
   AND +"t0"."deleted" = 0
   AND +"t2"."resource_type" = ?9
   AND +"t2"."deleted" = 0
   AND NOT (EXISTS (SELECT 1 FROM "idx_reference" AS "t6" JOIN "resource" AS "t7" ON ("t7"."resource_type" = "t6"."target_type"
   AND "t7"."id" = "t6"."target_id")
 WHERE "t6"."rid" = "t2"."rid"
   AND "t6"."param_hash" = ?10
   AND +"t6"."ord" <> "t1"."ord"
   AND "t6"."target_type" = ?11
   AND +"t7"."deleted" = 0
   AND ((+"t7"."rid" < "t0"."rid"
   AND EXISTS (SELECT 1 FROM "idx_reference" AS "t8" JOIN "resource" AS "t9" ON ("t9"."resource_type" = "t8"."target_type"
   AND "t9"."id" = "t8"."target_id")
 WHERE "t8"."rid" = "t7"."rid"
   AND "t8"."param_hash" = ?12
   AND "t8"."target_type" = ?13
   AND +"t9"."deleted" = 0
   AND EXISTS (SELECT 1 FROM "idx_string" AS "t10"
 WHERE "t10"."rid" = "t9"."rid"
   AND "t10"."param_hash" = ?14
   AND +("t10"."normalized" >= ?15
   AND "t10"."normalized" < ?16)))) OR (+"t7"."rid" = "t0"."rid"
   AND +"t6"."ord" < "t1"."ord")))) ORDER BY "t0"."rid" ASC, "t2"."rid" ASC LIMIT ?17
-- parameters:
--   ?1 = Int(-618460074409814904)
--   ?2 = Text("beta")
--   ?3 = Text("beta\u{10ffff}")
--   ?4 = Int(-9156782567255429421)
--   ?5 = Text("Organization")
--   ?6 = Text("Organization")
--   ?7 = Int(5643659545651379317)
--   ?8 = Text("Patient")
--   ?9 = Text("Observation")
--   ?10 = Int(-618460074409814904)
--   ?11 = Text("Patient")
--   ?12 = Int(5643659545651379317)
--   ?13 = Text("Organization")
--   ?14 = Int(-9156782567255429421)
--   ?15 = Text("beta")
--   ?16 = Text("beta\u{10ffff}")
--   ?17 = Int(51)
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
