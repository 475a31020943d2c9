SELECT "t5"."rid", "t5"."seq", "t5"."s0" FROM (SELECT "t0"."rid" AS "rid", "t0"."seq" AS "seq", (SELECT MAX(+"t4"."high") FROM "idx_date" AS "t4"
 WHERE "t4"."rid" = "t0"."rid"
   AND +"t4"."param_hash" = ?1) AS "s0" FROM "resource" AS "t0"
 WHERE "t0"."rid" IN (SELECT "t1"."rid" FROM "idx_reference" AS "t1"
 WHERE ("t1"."target_id" = ?2
   AND "t1"."target_type" = ?3)
   AND "t1"."param_hash" = ?4)
   AND +"t0"."resource_type" = ?5
   AND EXISTS (SELECT 1 FROM "idx_token" AS "t2"
 WHERE "t2"."rid" = "t0"."rid"
   AND "t2"."param_hash" = ?6
   AND "t2"."code_hash" = ?7)
   AND EXISTS (SELECT 1 FROM "idx_date" AS "t3"
 WHERE "t3"."rid" = "t0"."rid"
   AND "t3"."param_hash" = ?8
   AND ("t3"."low" >= ?9 OR "t3"."high" > ?10))
   AND +"t0"."deleted" = 0) AS "t5" ORDER BY "t5"."s0" DESC NULLS LAST, "t5"."rid" ASC LIMIT ?11
-- parameters:
--   ?1 = Int(-4206464531322029957)
--   ?2 = Text("p1")
--   ?3 = Text("Patient")
--   ?4 = Int(-618460074409814904)
--   ?5 = Text("Observation")
--   ?6 = Int(-9200567259766126162)
--   ?7 = Int(1203047197634205217)
--   ?8 = Int(-4206464531322029957)
--   ?9 = Int(1704067200000)
--   ?10 = Int(1704153599999)
--   ?11 = Int(51)
-- query plan:
--   SEARCH t0 USING INTEGER PRIMARY KEY (rowid=?)
--   LIST SUBQUERY 2
--   SEARCH t1 USING COVERING INDEX idx_reference_target (target_id=? AND target_type=? AND param_hash=?)
--   SEARCH t2 EXISTS USING COVERING INDEX idx_token_code (code_hash=? AND rid=? AND param_hash=?)
--   SEARCH t3 EXISTS USING PRIMARY KEY (rid=? AND param_hash=?)
--   CORRELATED SCALAR SUBQUERY 1
--   SEARCH t4 USING PRIMARY KEY (rid=?)
--   USE TEMP B-TREE FOR ORDER BY
