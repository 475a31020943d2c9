SELECT "t4"."rid", "t4"."seq", "t0"."rid", "t1"."param_hash", "t1"."patient_hash", "t1"."rid" FROM "resource" AS "t0" JOIN "idx_reference" AS "t1" ON (("t0"."resource_type" = "t1"."target_type"
   AND "t0"."id" = "t1"."target_id")
   AND "t1"."param_hash" IN rarray(?1)) JOIN "resource" AS "t2" ON "t2"."rid" = "t1"."rid" JOIN "idx_reference" AS "t3" ON (("t2"."resource_type" = "t3"."target_type"
   AND "t2"."id" = "t3"."target_id")
   AND "t3"."param_hash" = ?2) JOIN "resource" AS "t4" ON "t4"."rid" = "t3"."rid"
 WHERE "t0"."rid" IN (SELECT "t5"."rid" FROM "idx_string" AS "t5"
 WHERE ("t5"."normalized" >= ?3
   AND "t5"."normalized" < ?4)
   AND "t5"."param_hash" = ?5)
   AND +(("t1"."param_hash" = ?6
   AND "t0"."resource_type" = ?7) OR ("t1"."param_hash" = ?8
   AND "t0"."resource_type" = ?9))
   AND +"t0"."deleted" = 0
   AND +"t2"."deleted" = 0
   AND +"t4"."deleted" = 0
   AND +"t4"."resource_type" = ?10
   AND NOT (EXISTS (SELECT 1 FROM "idx_reference" AS "t6" JOIN "resource" AS "t7" ON ("t7"."resource_type" = "t6"."target_type"
   AND "t7"."id" = "t6"."target_id")
 WHERE "t6"."rid" = "t1"."rid"
   AND "t6"."param_hash" IN rarray(?11)
   AND +NOT (("t6"."param_hash" = "t1"."param_hash"
   AND "t6"."ord" = "t1"."ord"))
   AND +("t7"."rid" < "t0"."rid" OR ("t7"."rid" = "t0"."rid"
   AND "t6"."param_hash" < "t1"."param_hash") OR ("t7"."rid" = "t0"."rid"
   AND "t6"."param_hash" = "t1"."param_hash"
   AND "t6"."ord" < "t1"."ord"))
   AND (+"t7"."deleted" = 0
   AND ((+"t6"."param_hash" = ?12
   AND +"t7"."resource_type" = ?13
   AND EXISTS (SELECT 1 FROM "idx_string" AS "t8"
 WHERE "t8"."rid" = "t7"."rid"
   AND "t8"."param_hash" = ?14
   AND +("t8"."normalized" >= ?15
   AND "t8"."normalized" < ?16))) OR (+"t6"."param_hash" = ?17
   AND +"t7"."resource_type" = ?18
   AND EXISTS (SELECT 1 FROM "idx_string" AS "t9"
 WHERE "t9"."rid" = "t7"."rid"
   AND "t9"."param_hash" = ?19
   AND +("t9"."normalized" >= ?20
   AND "t9"."normalized" < ?21)))))))
   AND NOT (EXISTS (SELECT 1 FROM "idx_reference" AS "t10" JOIN "resource" AS "t11" ON ("t11"."resource_type" = "t10"."target_type"
   AND "t11"."id" = "t10"."target_id")
 WHERE "t10"."rid" = "t4"."rid"
   AND "t10"."param_hash" = ?22
   AND +"t10"."ord" <> "t3"."ord"
   AND ("t10"."target_type" = ?23 OR "t10"."target_type" = ?24)
   AND +"t11"."deleted" = 0
   AND (+("t11"."rid" = "t2"."rid"
   AND "t10"."ord" < "t3"."ord") OR EXISTS (SELECT 1 FROM "idx_reference" AS "t12" JOIN "resource" AS "t13" ON ("t13"."resource_type" = "t12"."target_type"
   AND "t13"."id" = "t12"."target_id")
 WHERE "t12"."rid" = "t11"."rid"
   AND "t12"."param_hash" IN rarray(?25)
   AND +("t13"."rid" < "t0"."rid" OR ("t13"."rid" = "t0"."rid"
   AND "t12"."param_hash" < "t1"."param_hash") OR ("t13"."rid" = "t0"."rid"
   AND "t12"."param_hash" = "t1"."param_hash"
   AND (("t12"."patient_hash" IS NULL
   AND NOT ("t1"."patient_hash" IS NULL)) OR "t12"."patient_hash" < "t1"."patient_hash")) OR ("t13"."rid" = "t0"."rid"
   AND "t12"."param_hash" = "t1"."param_hash"
   AND (("t12"."patient_hash" IS NULL
   AND "t1"."patient_hash" IS NULL) OR "t12"."patient_hash" = "t1"."patient_hash")
   AND "t12"."rid" < "t1"."rid"))
   AND (+"t13"."deleted" = 0
   AND ((+"t12"."param_hash" = ?26
   AND +"t13"."resource_type" = ?27
   AND EXISTS (SELECT 1 FROM "idx_string" AS "t14"
 WHERE "t14"."rid" = "t13"."rid"
   AND "t14"."param_hash" = ?28
   AND +("t14"."normalized" >= ?29
   AND "t14"."normalized" < ?30))) OR (+"t12"."param_hash" = ?31
   AND +"t13"."resource_type" = ?32
   AND EXISTS (SELECT 1 FROM "idx_string" AS "t15"
 WHERE "t15"."rid" = "t13"."rid"
   AND "t15"."param_hash" = ?33
   AND +("t15"."normalized" >= ?34
   AND "t15"."normalized" < ?35))))))))) ORDER BY "t0"."rid" ASC, "t1"."param_hash" ASC, "t1"."patient_hash" ASC, "t1"."rid" ASC, "t4"."rid" ASC LIMIT ?36
-- parameters:
--   ?1 = IntList([1085840327807719599, -6112998728886638241])
--   ?2 = Int(6713941282016373924)
--   ?3 = Text("smi")
--   ?4 = Text("smi\u{10ffff}")
--   ?5 = Int(7619605483591126454)
--   ?6 = Int(1085840327807719599)
--   ?7 = Text("Patient")
--   ?8 = Int(-6112998728886638241)
--   ?9 = Text("Patient")
--   ?10 = Text("Observation")
--   ?11 = IntList([1085840327807719599, -6112998728886638241])
--   ?12 = Int(1085840327807719599)
--   ?13 = Text("Patient")
--   ?14 = Int(7619605483591126454)
--   ?15 = Text("smi")
--   ?16 = Text("smi\u{10ffff}")
--   ?17 = Int(-6112998728886638241)
--   ?18 = Text("Patient")
--   ?19 = Int(7619605483591126454)
--   ?20 = Text("smi")
--   ?21 = Text("smi\u{10ffff}")
--   ?22 = Int(6713941282016373924)
--   ?23 = Text("Encounter")
--   ?24 = Text("EpisodeOfCare")
--   ?25 = IntList([1085840327807719599, -6112998728886638241])
--   ?26 = Int(1085840327807719599)
--   ?27 = Text("Patient")
--   ?28 = Int(7619605483591126454)
--   ?29 = Text("smi")
--   ?30 = Text("smi\u{10ffff}")
--   ?31 = Int(-6112998728886638241)
--   ?32 = Text("Patient")
--   ?33 = Int(7619605483591126454)
--   ?34 = Text("smi")
--   ?35 = Text("smi\u{10ffff}")
--   ?36 = Int(21)
-- query plan:
--   SEARCH t0 USING INTEGER PRIMARY KEY (rowid=?)
--   LIST SUBQUERY 2
--   SEARCH t5 USING COVERING INDEX idx_string_prefix (param_hash=? AND normalized>? AND normalized<?)
--   SEARCH t1 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=?)
--   LIST SUBQUERY 1
--   SCAN rarray VIRTUAL TABLE INDEX 1:
--   CORRELATED SCALAR SUBQUERY 6
--   SEARCH t6 USING PRIMARY KEY (rid=? AND param_hash=?)
--   LIST SUBQUERY 3
--   SCAN rarray VIRTUAL TABLE INDEX 1:
--   SEARCH t7 USING INDEX sqlite_autoindex_resource_1 (resource_type=? AND id=?)
--   CORRELATED SCALAR SUBQUERY 4
--   SEARCH t8 USING PRIMARY KEY (rid=? AND param_hash=?)
--   CORRELATED SCALAR SUBQUERY 5
--   SEARCH t9 USING PRIMARY KEY (rid=? AND param_hash=?)
--   SEARCH t2 USING INTEGER PRIMARY KEY (rowid=?)
--   SEARCH t3 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=?)
--   SEARCH t4 USING INTEGER PRIMARY KEY (rowid=?)
--   CORRELATED SCALAR SUBQUERY 11
--   SEARCH t10 USING PRIMARY KEY (rid=? AND param_hash=?)
--   SEARCH t11 USING INDEX sqlite_autoindex_resource_1 (resource_type=? AND id=?)
--   CORRELATED SCALAR SUBQUERY 10
--   SEARCH t12 USING PRIMARY KEY (rid=? AND param_hash=?)
--   LIST SUBQUERY 7
--   SCAN rarray VIRTUAL TABLE INDEX 1:
--   SEARCH t13 USING INDEX sqlite_autoindex_resource_1 (resource_type=? AND id=?)
--   CORRELATED SCALAR SUBQUERY 8
--   SEARCH t14 USING PRIMARY KEY (rid=? AND param_hash=?)
--   CORRELATED SCALAR SUBQUERY 9
--   SEARCH t15 USING PRIMARY KEY (rid=? AND param_hash=?)
--   USE TEMP B-TREE FOR LAST TERM OF ORDER BY
