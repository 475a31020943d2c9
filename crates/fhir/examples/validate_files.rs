//! Validates JSON files given on the command line and prints every issue:
//! `cargo run -p tessera-fhir --example validate_files -- FILE...`.

use tessera_fhir::Definitions;

fn main() {
    let definitions = Definitions::r4();
    let mut failed = 0;
    for path in std::env::args().skip(1) {
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) => {
                eprintln!("{path}: {error}");
                failed += 1;
                continue;
            }
        };
        let resource: serde_json::Value = match serde_json::from_str(&text) {
            Ok(resource) => resource,
            Err(error) => {
                eprintln!("{path}: not JSON: {error}");
                failed += 1;
                continue;
            }
        };
        let issues = definitions.validate(&resource);
        if !issues.is_empty() {
            failed += 1;
        }
        for issue in issues {
            println!(
                "{path}: {} {} {} {}: {}",
                issue.severity.code(),
                issue.tessera_code.unwrap_or(""),
                issue.code.code(),
                issue.path.as_deref().unwrap_or("-"),
                issue.message
            );
        }
    }
    if failed > 0 {
        std::process::exit(1);
    }
}
