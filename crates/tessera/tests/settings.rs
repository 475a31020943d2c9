//! Settings reach the server from the TOML file, the environment and the
//! command line, in that order of precedence; a bad file is reported with
//! its name and line.

mod common;

use common::*;
use serde_json::json;
use std::process::Command;

fn body_of(bytes: usize) -> serde_json::Value {
    json!({"resourceType": "Patient", "name": [{"family": "x".repeat(bytes)}]})
}

#[test]
fn the_config_file_sets_the_body_limit_and_the_command_line_wins() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tessera.toml");
    std::fs::write(&config, "# limits\nmax_body_bytes = 1500\nlog = \"warn\"\n").unwrap();
    let config = config.to_str().unwrap();

    let from_file = TestServer::start_with(&["--config", config]);
    assert_eq!(
        post_json(&from_file.url("Patient"), &body_of(2000)).status,
        413
    );
    assert_eq!(
        post_json(&from_file.url("Patient"), &body_of(100)).status,
        201
    );

    let overridden = TestServer::start_with(&["--config", config, "--max-body-bytes", "100000"]);
    assert_eq!(
        post_json(&overridden.url("Patient"), &body_of(2000)).status,
        201
    );
}

#[test]
fn a_bad_config_file_is_reported_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tessera.toml");
    std::fs::write(&config, "listen = \"127.0.0.1:0\"\nmax_body_byte = 5\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["serve", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("{}:2:", config.display())),
        "names the file and line: {stderr}"
    );
    assert!(stderr.contains("max_body_byte"), "names the key: {stderr}");
}

#[test]
fn environment_variables_configure_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .arg("serve")
        .env("TESSERA_DATA_DIR", dir.path())
        .env("TESSERA_DATABASE", "mysql://nowhere")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("mysql://nowhere"), "{stderr}");
}

#[test]
fn help_documents_every_setting() {
    let output = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    for needle in [
        "--data-dir",
        "--database",
        "--listen",
        "--base-url",
        "--max-body-bytes",
        "--log",
        "--config",
        "TESSERA_DATA_DIR",
        "TESSERA_DATABASE",
        "TESSERA_LISTEN",
        "TESSERA_CONFIG",
    ] {
        assert!(
            help.contains(needle),
            "--help does not mention {needle}:\n{help}"
        );
    }
}
