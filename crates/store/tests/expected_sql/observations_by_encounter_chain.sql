SELECT "t2"."rid", "t2"."seq", "t0"."rid" FROM "resource" AS "t0" JOIN "idx_reference" AS "t1" ON ("t1"."target_id" = "t0"."id"
   AND "t1"."target_type" = "t0"."resource_type"
   AND "t1"."param_hash" = ?1) JOIN "resource" AS "t2" ON "t2"."rid" = "t1"."rid"
 WHERE "t0"."rid" IN (SELECT "t4"."rid" FROM "idx_reference" AS "t4"
 WHERE "t4"."target_id" IN (SELECT "t5"."id" FROM "resource" AS "t5"
 WHERE "t5"."rid" IN (SELECT "t6"."rid" FROM "idx_string" AS "t6"
 WHERE ("t6"."normalized" >= ?2
   AND "t6"."normalized" < ?3)
   AND "t6"."param_hash" = ?4)
   AND +"t5"."resource_type" = ?5
   AND +"t5"."deleted" = 0)
   AND "t4"."target_type" = ?6
   AND "t4"."param_hash" = ?7
   AND EXISTS (SELECT 1 FROM "resource" AS "t3"
 WHERE "t3"."resource_type" = ?8) UNION ALL SELECT "t8"."rid" FROM "idx_reference" AS "t8"
 WHERE "t8"."target_id" IN (SELECT "t9"."id" FROM "resource" AS "t9"
 WHERE "t9"."rid" IN (SELECT "t10"."rid" FROM "idx_string" AS "t10"
 WHERE ("t10"."normalized" >= ?9
   AND "t10"."normalized" < ?10)
   AND "t10"."param_hash" = ?11)
   AND +"t9"."resource_type" = ?12
   AND +"t9"."deleted" = 0)
   AND "t8"."target_type" = ?13
   AND "t8"."param_hash" = ?14
   AND EXISTS (SELECT 1 FROM "resource" AS "t7"
 WHERE "t7"."resource_type" = ?15))
   AND +"t0"."deleted" = 0
   AND +"t2"."resource_type" = ?16
   AND +"t2"."deleted" = 0
   AND NOT (EXISTS (SELECT 1 FROM "idx_reference" AS "t11" JOIN "resource" AS "t12" ON ("t12"."resource_type" = "t11"."target_type"
   AND "t12"."id" = "t11"."target_id")
 WHERE "t11"."rid" = "t2"."rid"
   AND "t11"."param_hash" = ?17
   AND +"t11"."ord" <> "t1"."ord"
   AND ("t11"."target_type" = ?18 OR "t11"."target_type" = ?19)
   AND +"t12"."deleted" = 0
   AND ((+"t12"."rid" < "t0"."rid"
   AND ((+"t12"."resource_type" = ?20
   AND EXISTS (SELECT 1 FROM "idx_reference" AS "t13" JOIN "resource" AS "t14" ON ("t14"."resource_type" = "t13"."target_type"
   AND "t14"."id" = "t13"."target_id")
 WHERE "t13"."rid" = "t12"."rid"
   AND "t13"."param_hash" = ?21
   AND "t13"."target_type" = ?22
   AND +"t14"."deleted" = 0
   AND EXISTS (SELECT 1 FROM "idx_string" AS "t15"
 WHERE "t15"."rid" = "t14"."rid"
   AND "t15"."param_hash" = ?23
   AND +("t15"."normalized" >= ?24
   AND "t15"."normalized" < ?25)))) OR (+"t12"."resource_type" = ?26
   AND EXISTS (SELECT 1 FROM "idx_reference" AS "t16" JOIN "resource" AS "t17" ON ("t17"."resource_type" = "t16"."target_type"
   AND "t17"."id" = "t16"."target_id")
 WHERE "t16"."rid" = "t12"."rid"
   AND "t16"."param_hash" = ?27
   AND "t16"."target_type" = ?28
   AND +"t17"."deleted" = 0
   AND EXISTS (SELECT 1 FROM "idx_string" AS "t18"
 WHERE "t18"."rid" = "t17"."rid"
   AND "t18"."param_hash" = ?29
   AND +("t18"."normalized" >= ?30
   AND "t18"."normalized" < ?31)))))) OR (+"t12"."rid" = "t0"."rid"
   AND +"t11"."ord" < "t1"."ord")))) ORDER BY "t0"."rid" ASC, "t2"."rid" ASC LIMIT ?32
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
--   SEARCH t3 EXISTS USING COVERING INDEX resource_by_type (resource_type=?)
--   SEARCH t4 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=?)
--   LIST SUBQUERY 2
--   SEARCH t5 USING INTEGER PRIMARY KEY (rowid=?)
--   LIST SUBQUERY 1
--   SEARCH t6 USING COVERING INDEX idx_string_prefix (param_hash=? AND normalized>? AND normalized<?)
--   UNION ALL
--   SEARCH t7 EXISTS USING COVERING INDEX resource_by_type (resource_type=?)
--   SEARCH t8 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=?)
--   LIST SUBQUERY 6
--   SEARCH t9 USING INTEGER PRIMARY KEY (rowid=?)
--   LIST SUBQUERY 5
--   SEARCH t10 USING COVERING INDEX idx_string_prefix (param_hash=? AND normalized>? AND normalized<?)
--   SEARCH t1 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=?)
--   SEARCH t2 USING INTEGER PRIMARY KEY (rowid=?)
--   CORRELATED SCALAR SUBQUERY 13
--   SEARCH t11 USING PRIMARY KEY (rid=? AND param_hash=?)
--   SEARCH t12 USING INDEX sqlite_autoindex_resource_1 (resource_type=? AND id=?)
--   CORRELATED SCALAR SUBQUERY 10
--   SEARCH t13 USING PRIMARY KEY (rid=? AND param_hash=?)
--   SEARCH t14 USING INDEX sqlite_autoindex_resource_1 (resource_type=? AND id=?)
--   SEARCH t15 EXISTS USING PRIMARY KEY (rid=? AND param_hash=?)
--   CORRELATED SCALAR SUBQUERY 12
--   SEARCH t16 USING PRIMARY KEY (rid=? AND param_hash=?)
--   SEARCH t17 USING INDEX sqlite_autoindex_resource_1 (resource_type=? AND id=?)
--   SEARCH t18 EXISTS USING PRIMARY KEY (rid=? AND param_hash=?)
--   USE TEMP B-TREE FOR LAST TERM OF ORDER BY
