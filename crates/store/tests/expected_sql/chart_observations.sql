SELECT "t0"."rid", "t0"."seq" FROM "resource" AS "t0"
 WHERE "t0"."rid" IN (SELECT "t1"."rid" FROM "resource" AS "t1"
 WHERE "t1"."patient_key" = ?1
   AND "t1"."resource_type" = ?2 UNION ALL SELECT "t2"."rid" FROM "idx_reference" AS "t2"
 WHERE ("t2"."target_id" = ?3
   AND "t2"."target_type" = ?4)
   AND "t2"."param_hash" IN rarray(?5)
   AND "t2"."patient_hash" IS NULL UNION ALL SELECT "t3"."rid" FROM "idx_reference" AS "t3"
 WHERE ("t3"."target_id" = ?6
   AND "t3"."target_type" = ?7)
   AND "t3"."param_hash" IN rarray(?8)
   AND "t3"."patient_hash" < ?9 UNION ALL SELECT "t4"."rid" FROM "idx_reference" AS "t4"
 WHERE ("t4"."target_id" = ?10
   AND "t4"."target_type" = ?11)
   AND "t4"."param_hash" IN rarray(?12)
   AND "t4"."patient_hash" > ?13)
   AND +"t0"."resource_type" = ?14
   AND +"t0"."deleted" = 0 ORDER BY "t0"."rid" ASC LIMIT ?15
-- parameters:
--   ?1 = Text("p1")
--   ?2 = Text("Observation")
--   ?3 = Text("p1")
--   ?4 = Text("Patient")
--   ?5 = IntList([7539579413257918877, -832851807554080657])
--   ?6 = Text("p1")
--   ?7 = Text("Patient")
--   ?8 = IntList([7539579413257918877, -832851807554080657])
--   ?9 = Int(-1493043231042520989)
--   ?10 = Text("p1")
--   ?11 = Text("Patient")
--   ?12 = IntList([7539579413257918877, -832851807554080657])
--   ?13 = Int(-1493043231042520989)
--   ?14 = Text("Observation")
--   ?15 = Int(51)
-- query plan:
--   SEARCH t0 USING INTEGER PRIMARY KEY (rowid=?)
--   LIST SUBQUERY 7
--   COMPOUND QUERY
--   LEFT-MOST SUBQUERY
--   SEARCH t1 USING COVERING INDEX resource_by_patient (patient_key=? AND resource_type=?)
--   UNION ALL
--   SEARCH t2 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=? AND patient_hash=?)
--   LIST SUBQUERY 2
--   SCAN rarray VIRTUAL TABLE INDEX 1:
--   UNION ALL
--   SEARCH t3 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=? AND patient_hash<?)
--   LIST SUBQUERY 4
--   SCAN rarray VIRTUAL TABLE INDEX 1:
--   UNION ALL
--   SEARCH t4 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=? AND patient_hash>?)
--   LIST SUBQUERY 6
--   SCAN rarray VIRTUAL TABLE INDEX 1:
