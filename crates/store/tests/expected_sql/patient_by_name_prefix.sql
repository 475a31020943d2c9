SELECT "t0"."rid", "t0"."seq" FROM "resource" AS "t0"
 WHERE "t0"."rid" IN (SELECT "t1"."rid" FROM "idx_string" AS "t1"
 WHERE ("t1"."normalized" >= ?1
   AND "t1"."normalized" < ?2)
   AND "t1"."param_hash" = ?3)
   AND +"t0"."resource_type" = ?4
   AND +"t0"."deleted" = 0 ORDER BY "t0"."rid" ASC LIMIT ?5
-- parameters:
--   ?1 = Text("ada")
--   ?2 = Text("ada\u{10ffff}")
--   ?3 = Int(689803312326939369)
--   ?4 = Text("Patient")
--   ?5 = Int(51)
-- query plan:
--   SEARCH t0 USING INTEGER PRIMARY KEY (rowid=?)
--   LIST SUBQUERY 1
--   SEARCH t1 USING COVERING INDEX idx_string_prefix (param_hash=? AND normalized>? AND normalized<?)
