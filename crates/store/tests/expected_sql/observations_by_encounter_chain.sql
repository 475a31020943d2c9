SELECT "t2"."rid", "t2"."seq", "t0"."rid" FROM "resource" AS "t0" JOIN "idx_reference" AS "t1" ON ("t1"."target_id" = "t0"."id"
   AND "t1"."target_type" = "t0"."resource_type"
   AND "t1"."param_hash" = ?1) JOIN "resource" AS "t2" ON "t2"."rid" = "t1"."rid"
 WHERE "t0"."rid" IN (SELECT "t12"."rid" FROM "idx_reference" AS "t12"
 WHERE "t12"."target_id" IN (SELECT "t13"."id" FROM "resource" AS "t13"
 WHERE "t13"."rid" IN (SELECT "t14"."rid" FROM "idx_string" AS "t14"
 WHERE ("t14"."normalized" >= ?2
   AND "t14"."normalized" < ?3)
   AND "t14"."param_hash" = ?4)
   AND +"t13"."resource_type" = ?5
   AND +"t13"."deleted" = 0)
   AND "t12"."target_type" = ?6
   AND "t12"."param_hash" = ?7
   AND EXISTS (SELECT 1 FROM "resource" AS "t11"
 WHERE "t11"."resource_type" = ?8) UNION ALL SELECT "t16"."rid" FROM "idx_reference" AS "t16"
 WHERE "t16"."target_id" IN (SELECT "t17"."id" FROM "resource" AS "t17"
 WHERE "t17"."rid" IN (SELECT "t18"."rid" FROM "idx_string" AS "t18"
 WHERE ("t18"."normalized" >= ?9
   AND "t18"."normalized" < ?10)
   AND "t18"."param_hash" = ?11)
   AND +"t17"."resource_type" = ?12
   AND +"t17"."deleted" = 0)
   AND "t16"."target_type" = ?13
   AND "t16"."param_hash" = ?14
   AND EXISTS (SELECT 1 FROM "resource" AS "t15"
 WHERE "t15"."resource_type" = ?15))
   AND +"t0"."deleted" = 0
   AND +"t2"."resource_type" = ?16
   AND +"t2"."deleted" = 0
   AND NOT (EXISTS (SELECT 1 FROM "idx_reference" AS "t3" JOIN "resource" AS "t4" ON ("t4"."resource_type" = "t3"."target_type"
   AND "t4"."id" = "t3"."target_id")
 WHERE "t3"."rid" = "t2"."rid"
   AND "t3"."param_hash" = ?17
   AND +"t3"."ord" <> "t1"."ord"
   AND ("t3"."target_type" = ?18 OR "t3"."target_type" = ?19)
   AND +"t4"."deleted" = 0
   AND ((+"t4"."rid" < "t0"."rid"
   AND ((+"t4"."resource_type" = ?20
   AND EXISTS (SELECT 1 FROM "idx_reference" AS "t5" JOIN "resource" AS "t6" ON ("t6"."resource_type" = "t5"."target_type"
   AND "t6"."id" = "t5"."target_id")
 WHERE "t5"."rid" = "t4"."rid"
   AND "t5"."param_hash" = ?21
   AND "t5"."target_type" = ?22
   AND +"t6"."deleted" = 0
   AND EXISTS (SELECT 1 FROM "idx_string" AS "t7"
 WHERE "t7"."rid" = "t6"."rid"
   AND "t7"."param_hash" = ?23
   AND +("t7"."normalized" >= ?24
   AND "t7"."normalized" < ?25)))) OR (+"t4"."resource_type" = ?26
   AND EXISTS (SELECT 1 FROM "idx_reference" AS "t8" JOIN "resource" AS "t9" ON ("t9"."resource_type" = "t8"."target_type"
   AND "t9"."id" = "t8"."target_id")
 WHERE "t8"."rid" = "t4"."rid"
   AND "t8"."param_hash" = ?27
   AND "t8"."target_type" = ?28
   AND +"t9"."deleted" = 0
   AND EXISTS (SELECT 1 FROM "idx_string" AS "t10"
 WHERE "t10"."rid" = "t9"."rid"
   AND "t10"."param_hash" = ?29
   AND +("t10"."normalized" >= ?30
   AND "t10"."normalized" < ?31)))))) OR (+"t4"."rid" = "t0"."rid"
   AND +"t3"."ord" < "t1"."ord")))) ORDER BY "t0"."rid" ASC, "t2"."rid" ASC LIMIT ?32
-- parameters:
--   ?1 = Int(6713941282016373924)
--   ?2 = Text("smi")
--   ?3 = Text("smi\u{10ffff}")
--   ?4 = Int(7619605483591126454)
--   ?5 = Text("Patient")
--   ?6 = Text("Patient")
--   ?7 = Int(1085840327807719599)
--   ?8 = Text("Encounter")
--   ?9 = Text("smi")
--   ?10 = Text("smi\u{10ffff}")
--   ?11 = Int(7619605483591126454)
--   ?12 = Text("Patient")
--   ?13 = Text("Patient")
--   ?14 = Int(-6112998728886638241)
--   ?15 = Text("EpisodeOfCare")
--   ?16 = Text("Observation")
--   ?17 = Int(6713941282016373924)
--   ?18 = Text("Encounter")
--   ?19 = Text("EpisodeOfCare")
--   ?20 = Text("Encounter")
--   ?21 = Int(1085840327807719599)
--   ?22 = Text("Patient")
--   ?23 = Int(7619605483591126454)
--   ?24 = Text("smi")
--   ?25 = Text("smi\u{10ffff}")
--   ?26 = Text("EpisodeOfCare")
--   ?27 = Int(-6112998728886638241)
--   ?28 = Text("Patient")
--   ?29 = Int(7619605483591126454)
--   ?30 = Text("smi")
--   ?31 = Text("smi\u{10ffff}")
--   ?32 = Int(21)
-- query plan:
--   SEARCH t0 USING INTEGER PRIMARY KEY (rowid=?)
--   LIST SUBQUERY 8
--   COMPOUND QUERY
--   LEFT-MOST SUBQUERY
--   SEARCH t11 EXISTS USING COVERING INDEX resource_by_type (resource_type=?)
--   SEARCH t12 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=?)
--   LIST SUBQUERY 2
--   SEARCH t13 USING INTEGER PRIMARY KEY (rowid=?)
--   LIST SUBQUERY 1
--   SEARCH t14 USING COVERING INDEX idx_string_prefix (param_hash=? AND normalized>? AND normalized<?)
--   UNION ALL
--   SEARCH t15 EXISTS USING COVERING INDEX resource_by_type (resource_type=?)
--   SEARCH t16 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=?)
--   LIST SUBQUERY 6
--   SEARCH t17 USING INTEGER PRIMARY KEY (rowid=?)
--   LIST SUBQUERY 5
--   SEARCH t18 USING COVERING INDEX idx_string_prefix (param_hash=? AND normalized>? AND normalized<?)
--   SEARCH t1 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=?)
--   SEARCH t2 USING INTEGER PRIMARY KEY (rowid=?)
--   CORRELATED SCALAR SUBQUERY 13
--   SEARCH t3 USING PRIMARY KEY (rid=? AND param_hash=?)
--   SEARCH t4 USING INDEX sqlite_autoindex_resource_1 (resource_type=? AND id=?)
--   CORRELATED SCALAR SUBQUERY 10
--   SEARCH t5 USING PRIMARY KEY (rid=? AND param_hash=?)
--   SEARCH t6 USING INDEX sqlite_autoindex_resource_1 (resource_type=? AND id=?)
--   SEARCH t7 EXISTS USING PRIMARY KEY (rid=? AND param_hash=?)
--   CORRELATED SCALAR SUBQUERY 12
--   SEARCH t8 USING PRIMARY KEY (rid=? AND param_hash=?)
--   SEARCH t9 USING INDEX sqlite_autoindex_resource_1 (resource_type=? AND id=?)
--   SEARCH t10 EXISTS USING PRIMARY KEY (rid=? AND param_hash=?)
--   USE TEMP B-TREE FOR LAST TERM OF ORDER BY
