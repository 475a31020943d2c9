SELECT "t2"."rid", "t2"."seq", "t0"."rid" FROM "resource" AS "t0" JOIN "idx_reference" AS "t1" ON ("t1"."target_id" = "t0"."id"
   AND "t1"."target_type" = "t0"."resource_type"
   AND "t1"."param_hash" = ?1) JOIN "resource" AS "t2" ON "t2"."rid" = "t1"."rid"
 WHERE "t0"."rid" IN (SELECT "t8"."rid" FROM "idx_reference" AS "t8"
 WHERE "t8"."target_id" IN (SELECT "t9"."id" FROM "resource" AS "t9"
 WHERE "t9"."rid" IN (SELECT "t10"."rid" FROM "idx_string" AS "t10"
 WHERE ("t10"."normalized" >= ?2
   AND "t10"."normalized" < ?3)
   AND "t10"."param_hash" = ?4)
   AND +"t9"."resource_type" = ?5
   AND +"t9"."deleted" = 0)
   AND "t8"."target_type" = ?6
   AND "t8"."param_hash" = ?7)
   AND +"t0"."deleted" = 0
   AND +"t2"."resource_type" = ?8
   AND +"t2"."deleted" = 0
   AND NOT (EXISTS (SELECT 1 FROM "idx_reference" AS "t3" JOIN "resource" AS "t4" ON ("t4"."resource_type" = "t3"."target_type"
   AND "t4"."id" = "t3"."target_id")
 WHERE "t3"."rid" = "t2"."rid"
   AND "t3"."param_hash" = ?9
   AND +"t3"."ord" <> "t1"."ord"
   AND "t3"."target_type" = ?10
   AND +"t4"."deleted" = 0
   AND ((+"t4"."rid" < "t0"."rid"
   AND EXISTS (SELECT 1 FROM "idx_reference" AS "t5" JOIN "resource" AS "t6" ON ("t6"."resource_type" = "t5"."target_type"
   AND "t6"."id" = "t5"."target_id")
 WHERE "t5"."rid" = "t4"."rid"
   AND "t5"."param_hash" = ?11
   AND "t5"."target_type" = ?12
   AND +"t6"."deleted" = 0
   AND EXISTS (SELECT 1 FROM "idx_string" AS "t7"
 WHERE "t7"."rid" = "t6"."rid"
   AND "t7"."param_hash" = ?13
   AND +("t7"."normalized" >= ?14
   AND "t7"."normalized" < ?15)))) OR (+"t4"."rid" = "t0"."rid"
   AND +"t3"."ord" < "t1"."ord")))) ORDER BY "t0"."rid" ASC, "t2"."rid" ASC LIMIT ?16
-- parameters:
--   ?1 = Int(-618460074409814904)
--   ?2 = Text("beta")
--   ?3 = Text("beta\u{10ffff}")
--   ?4 = Int(-9156782567255429421)
--   ?5 = Text("Organization")
--   ?6 = Text("Organization")
--   ?7 = Int(5643659545651379317)
--   ?8 = Text("Observation")
--   ?9 = Int(-618460074409814904)
--   ?10 = Text("Patient")
--   ?11 = Int(5643659545651379317)
--   ?12 = Text("Organization")
--   ?13 = Int(-9156782567255429421)
--   ?14 = Text("beta")
--   ?15 = Text("beta\u{10ffff}")
--   ?16 = Int(51)
-- query plan:
--   SEARCH t0 USING INTEGER PRIMARY KEY (rowid=?)
--   LIST SUBQUERY 3
--   SEARCH t8 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=?)
--   LIST SUBQUERY 2
--   SEARCH t9 USING INTEGER PRIMARY KEY (rowid=?)
--   LIST SUBQUERY 1
--   SEARCH t10 USING COVERING INDEX idx_string_prefix (param_hash=? AND normalized>? AND normalized<?)
--   SEARCH t1 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=?)
--   SEARCH t2 USING INTEGER PRIMARY KEY (rowid=?)
--   CORRELATED SCALAR SUBQUERY 6
--   SEARCH t3 USING PRIMARY KEY (rid=? AND param_hash=?)
--   SEARCH t4 USING INDEX sqlite_autoindex_resource_1 (resource_type=? AND id=?)
--   CORRELATED SCALAR SUBQUERY 5
--   SEARCH t5 USING PRIMARY KEY (rid=? AND param_hash=?)
--   SEARCH t6 USING INDEX sqlite_autoindex_resource_1 (resource_type=? AND id=?)
--   SEARCH t7 EXISTS USING PRIMARY KEY (rid=? AND param_hash=?)
--   USE TEMP B-TREE FOR LAST TERM OF ORDER BY
