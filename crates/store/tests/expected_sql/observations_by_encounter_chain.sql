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
   AND "t3"."param_hash" = ?7 UNION ALL SELECT "t6"."rid" FROM "idx_reference" AS "t6"
 WHERE "t6"."target_id" IN (SELECT "t7"."id" FROM "resource" AS "t7"
 WHERE "t7"."rid" IN (SELECT "t8"."rid" FROM "idx_string" AS "t8"
 WHERE ("t8"."normalized" >= ?8
   AND "t8"."normalized" < ?9)
   AND "t8"."param_hash" = ?10)
   AND +"t7"."resource_type" = ?11
   AND +"t7"."deleted" = 0)
   AND "t6"."target_type" = ?12
   AND "t6"."param_hash" = ?13)
   AND +"t0"."deleted" = 0
   AND +"t2"."resource_type" = ?14
   AND +"t2"."deleted" = 0
   AND NOT (EXISTS (SELECT 1 FROM "idx_reference" AS "t9" JOIN "resource" AS "t10" ON ("t10"."resource_type" = "t9"."target_type"
   AND "t10"."id" = "t9"."target_id")
 WHERE "t9"."rid" = "t2"."rid"
   AND "t9"."param_hash" = ?15
   AND ("t9"."target_type" = ?16 OR "t9"."target_type" = ?17)
   AND +"t10"."deleted" = 0
   AND ((+"t10"."rid" < "t0"."rid"
   AND ((+"t10"."resource_type" = ?18
   AND EXISTS (SELECT 1 FROM "idx_reference" AS "t11" JOIN "resource" AS "t12" ON ("t12"."resource_type" = "t11"."target_type"
   AND "t12"."id" = "t11"."target_id")
 WHERE "t11"."rid" = "t10"."rid"
   AND "t11"."param_hash" = ?19
   AND "t11"."target_type" = ?20
   AND +"t12"."deleted" = 0
   AND EXISTS (SELECT 1 FROM "idx_string" AS "t13"
 WHERE "t13"."rid" = "t12"."rid"
   AND "t13"."param_hash" = ?21
   AND +("t13"."normalized" >= ?22
   AND "t13"."normalized" < ?23)))) OR (+"t10"."resource_type" = ?24
   AND EXISTS (SELECT 1 FROM "idx_reference" AS "t14" JOIN "resource" AS "t15" ON ("t15"."resource_type" = "t14"."target_type"
   AND "t15"."id" = "t14"."target_id")
 WHERE "t14"."rid" = "t10"."rid"
   AND "t14"."param_hash" = ?25
   AND "t14"."target_type" = ?26
   AND +"t15"."deleted" = 0
   AND EXISTS (SELECT 1 FROM "idx_string" AS "t16"
 WHERE "t16"."rid" = "t15"."rid"
   AND "t16"."param_hash" = ?27
   AND +("t16"."normalized" >= ?28
   AND "t16"."normalized" < ?29)))))) OR (+"t10"."rid" = "t0"."rid"
   AND +"t9"."ord" < "t1"."ord")))) ORDER BY "t0"."rid" ASC, "t2"."rid" ASC LIMIT ?30
-- parameters:
--   ?1 = Int(6713941282016373924)
--   ?2 = Text("smi")
--   ?3 = Text("smi\u{10ffff}")
--   ?4 = Int(7619605483591126454)
--   ?5 = Text("Patient")
--   ?6 = Text("Patient")
--   ?7 = Int(1085840327807719599)
--   ?8 = Text("smi")
--   ?9 = Text("smi\u{10ffff}")
--   ?10 = Int(7619605483591126454)
--   ?11 = Text("Patient")
--   ?12 = Text("Patient")
--   ?13 = Int(-6112998728886638241)
--   ?14 = Text("Observation")
--   ?15 = Int(6713941282016373924)
--   ?16 = Text("Encounter")
--   ?17 = Text("EpisodeOfCare")
--   ?18 = Text("Encounter")
--   ?19 = Int(1085840327807719599)
--   ?20 = Text("Patient")
--   ?21 = Int(7619605483591126454)
--   ?22 = Text("smi")
--   ?23 = Text("smi\u{10ffff}")
--   ?24 = Text("EpisodeOfCare")
--   ?25 = Int(-6112998728886638241)
--   ?26 = Text("Patient")
--   ?27 = Int(7619605483591126454)
--   ?28 = Text("smi")
--   ?29 = Text("smi\u{10ffff}")
--   ?30 = Int(21)
-- query plan:
--   SEARCH t0 USING INTEGER PRIMARY KEY (rowid=?)
--   LIST SUBQUERY 6
--   COMPOUND QUERY
--   LEFT-MOST SUBQUERY
--   SEARCH t3 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=?)
--   LIST SUBQUERY 2
--   SEARCH t4 USING INTEGER PRIMARY KEY (rowid=?)
--   LIST SUBQUERY 1
--   SEARCH t5 USING COVERING INDEX idx_string_prefix (param_hash=? AND normalized>? AND normalized<?)
--   UNION ALL
--   SEARCH t6 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=?)
--   LIST SUBQUERY 5
--   SEARCH t7 USING INTEGER PRIMARY KEY (rowid=?)
--   LIST SUBQUERY 4
--   SEARCH t8 USING COVERING INDEX idx_string_prefix (param_hash=? AND normalized>? AND normalized<?)
--   SEARCH t1 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=?)
--   SEARCH t2 USING INTEGER PRIMARY KEY (rowid=?)
--   CORRELATED SCALAR SUBQUERY 11
--   SEARCH t9 USING PRIMARY KEY (rid=? AND param_hash=?)
--   SEARCH t10 USING INDEX sqlite_autoindex_resource_1 (resource_type=? AND id=?)
--   CORRELATED SCALAR SUBQUERY 8
--   SEARCH t11 USING PRIMARY KEY (rid=? AND param_hash=?)
--   SEARCH t12 USING INDEX sqlite_autoindex_resource_1 (resource_type=? AND id=?)
--   SEARCH t13 EXISTS USING PRIMARY KEY (rid=? AND param_hash=?)
--   CORRELATED SCALAR SUBQUERY 10
--   SEARCH t14 USING PRIMARY KEY (rid=? AND param_hash=?)
--   SEARCH t15 USING INDEX sqlite_autoindex_resource_1 (resource_type=? AND id=?)
--   SEARCH t16 EXISTS USING PRIMARY KEY (rid=? AND param_hash=?)
--   USE TEMP B-TREE FOR LAST TERM OF ORDER BY
