SELECT "t4"."rid", "t4"."seq", "t0"."rid", "t1"."param_hash", "t1"."patient_hash", "t1"."rid" FROM "resource" AS "t0" JOIN "idx_reference" AS "t1" ON (("t0"."resource_type" = "t1"."target_type"
   AND "t0"."id" = "t1"."target_id")
   AND "t1"."param_hash" = ?1) JOIN "resource" AS "t2" ON "t2"."rid" = "t1"."rid" JOIN "idx_reference" AS "t3" ON (("t2"."resource_type" = "t3"."target_type"
   AND "t2"."id" = "t3"."target_id")
   AND "t3"."param_hash" = ?2) JOIN "resource" AS "t4" ON "t4"."rid" = "t3"."rid"
 WHERE "t0"."rid" IN (SELECT "t5"."rid" FROM "idx_string" AS "t5"
 WHERE ("t5"."normalized" >= ?3
   AND "t5"."normalized" < ?4)
   AND "t5"."param_hash" = ?5)
   AND +("t1"."param_hash" = ?6
   AND "t0"."resource_type" = ?7)
   AND +"t0"."deleted" = 0
   AND +"t2"."deleted" = 0
   AND +"t4"."deleted" = 0
   AND +"t4"."resource_type" = ?8
   AND NOT (EXISTS (SELECT 1 FROM "idx_reference" AS "t6" JOIN "resource" AS "t7" ON ("t7"."resource_type" = "t6"."target_type"
   AND "t7"."id" = "t6"."target_id")
 WHERE "t6"."rid" = "t1"."rid"
   AND "t6"."param_hash" = ?9
   AND +NOT (("t6"."param_hash" = "t1"."param_hash"
   AND "t6"."ord" = "t1"."ord"))
   AND +("t7"."rid" < "t0"."rid" OR ("t7"."rid" = "t0"."rid"
   AND "t6"."param_hash" < "t1"."param_hash") OR ("t7"."rid" = "t0"."rid"
   AND "t6"."param_hash" = "t1"."param_hash"
   AND "t6"."ord" < "t1"."ord"))
   AND (+"t7"."deleted" = 0
   AND (+"t6"."param_hash" = ?10
   AND +"t7"."resource_type" = ?11
   AND EXISTS (SELECT 1 FROM "idx_string" AS "t8"
 WHERE "t8"."rid" = "t7"."rid"
   AND "t8"."param_hash" = ?12
   AND +("t8"."normalized" >= ?13
   AND "t8"."normalized" < ?14))))))
   AND NOT (EXISTS (SELECT 1 FROM "idx_reference" AS "t9" JOIN "resource" AS "t10" ON ("t10"."resource_type" = "t9"."target_type"
   AND "t10"."id" = "t9"."target_id")
 WHERE "t9"."rid" = "t4"."rid"
   AND "t9"."param_hash" = ?15
   AND +"t9"."ord" <> "t3"."ord"
   AND "t9"."target_type" = ?16
   AND +"t10"."deleted" = 0
   AND (+("t10"."rid" = "t2"."rid"
   AND "t9"."ord" < "t3"."ord") OR EXISTS (SELECT 1 FROM "idx_reference" AS "t11" JOIN "resource" AS "t12" ON ("t12"."resource_type" = "t11"."target_type"
   AND "t12"."id" = "t11"."target_id")
 WHERE "t11"."rid" = "t10"."rid"
   AND "t11"."param_hash" = ?17
   AND +("t12"."rid" < "t0"."rid" OR ("t12"."rid" = "t0"."rid"
   AND "t11"."param_hash" < "t1"."param_hash") OR ("t12"."rid" = "t0"."rid"
   AND "t11"."param_hash" = "t1"."param_hash"
   AND (("t11"."patient_hash" IS NULL
   AND NOT ("t1"."patient_hash" IS NULL)) OR "t11"."patient_hash" < "t1"."patient_hash")) OR ("t12"."rid" = "t0"."rid"
   AND "t11"."param_hash" = "t1"."param_hash"
   AND (("t11"."patient_hash" IS NULL
   AND "t1"."patient_hash" IS NULL) OR "t11"."patient_hash" = "t1"."patient_hash")
   AND "t11"."rid" < "t1"."rid"))
   AND (+"t12"."deleted" = 0
   AND (+"t11"."param_hash" = ?18
   AND +"t12"."resource_type" = ?19
   AND EXISTS (SELECT 1 FROM "idx_string" AS "t13"
 WHERE "t13"."rid" = "t12"."rid"
   AND "t13"."param_hash" = ?20
   AND +("t13"."normalized" >= ?21
   AND "t13"."normalized" < ?22)))))))) ORDER BY "t0"."rid" ASC, "t1"."param_hash" ASC, "t1"."patient_hash" ASC, "t1"."rid" ASC, "t4"."rid" ASC LIMIT ?23
-- parameters:
--   ?1 = Int(5643659545651379317)
--   ?2 = Int(-618460074409814904)
--   ?3 = Text("beta")
--   ?4 = Text("beta\u{10ffff}")
--   ?5 = Int(-9156782567255429421)
--   ?6 = Int(5643659545651379317)
--   ?7 = Text("Organization")
--   ?8 = Text("Observation")
--   ?9 = Int(5643659545651379317)
--   ?10 = Int(5643659545651379317)
--   ?11 = Text("Organization")
--   ?12 = Int(-9156782567255429421)
--   ?13 = Text("beta")
--   ?14 = Text("beta\u{10ffff}")
--   ?15 = Int(-618460074409814904)
--   ?16 = Text("Patient")
--   ?17 = Int(5643659545651379317)
--   ?18 = Int(5643659545651379317)
--   ?19 = Text("Organization")
--   ?20 = Int(-9156782567255429421)
--   ?21 = Text("beta")
--   ?22 = Text("beta\u{10ffff}")
--   ?23 = Int(51)
-- query plan:
--   SEARCH t0 USING INTEGER PRIMARY KEY (rowid=?)
--   LIST SUBQUERY 1
--   SEARCH t5 USING COVERING INDEX idx_string_prefix (param_hash=? AND normalized>? AND normalized<?)
--   SEARCH t1 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=?)
--   CORRELATED SCALAR SUBQUERY 3
--   SEARCH t6 USING PRIMARY KEY (rid=? AND param_hash=?)
--   SEARCH t7 USING INDEX sqlite_autoindex_resource_1 (resource_type=? AND id=?)
--   SEARCH t8 EXISTS USING PRIMARY KEY (rid=? AND param_hash=?)
--   SEARCH t2 USING INTEGER PRIMARY KEY (rowid=?)
--   SEARCH t3 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=?)
--   SEARCH t4 USING INTEGER PRIMARY KEY (rowid=?)
--   CORRELATED SCALAR SUBQUERY 6
--   SEARCH t9 USING PRIMARY KEY (rid=? AND param_hash=?)
--   SEARCH t10 USING INDEX sqlite_autoindex_resource_1 (resource_type=? AND id=?)
--   CORRELATED SCALAR SUBQUERY 5
--   SEARCH t11 USING PRIMARY KEY (rid=? AND param_hash=?)
--   SEARCH t12 USING INDEX sqlite_autoindex_resource_1 (resource_type=? AND id=?)
--   SEARCH t13 EXISTS USING PRIMARY KEY (rid=? AND param_hash=?)
--   USE TEMP B-TREE FOR LAST TERM OF ORDER BY
