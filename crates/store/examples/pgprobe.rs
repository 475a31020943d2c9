use std::sync::Arc;
use tessera_fhir::Definitions;
use tessera_store::search::sql::SqlValue;
struct C;
impl tessera_store::Clock for C {
    fn now_millis(&self) -> i64 {
        0
    }
}
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let store = tessera_store::postgres::PostgresStore::open(&args[1], Arc::new(C)).unwrap();
    let params: Vec<(String, String)> = args[3]
        .split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (k.to_string(), v.to_string())
        })
        .collect();
    let parsed = Definitions::r4()
        .parse_search(Some(&args[2]), &params)
        .unwrap();
    let r = store.search_sql(&parsed.query).unwrap();
    let vals: Vec<String> = r
        .params
        .iter()
        .map(|p| match p {
            SqlValue::Int(i) => i.to_string(),
            SqlValue::Text(t) => format!("'{}'", t.replace('\'', "''")),
            SqlValue::Real(f) => f.to_string(),
            SqlValue::Null => "NULL".into(),
            other => format!("{other:?}"),
        })
        .collect();
    println!(
        "PREPARE q AS {};\nEXPLAIN (ANALYZE, BUFFERS) EXECUTE q({});",
        r.sql,
        vals.join(", ")
    );
}
