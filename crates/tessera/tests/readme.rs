//! The curl lines of README.md work as printed: those of "Try it" against a
//! fresh `tessera serve`, those of the demo tour against `tessera demo` (a
//! smaller network, same seed), each with its address swapped for the
//! README's `localhost:8080`; each must answer the status its comment names
//! ("412 ...", "422 ..."), or a 2xx status otherwise.

mod common;

use common::TestServer;
use std::process::Command;

/// (expected status if a comment names one, command line) of the first
/// ```sh block of the section headed `heading`.
fn section_commands(readme: &str, heading: &str) -> Vec<(Option<u16>, String)> {
    let section = readme
        .split(heading)
        .nth(1)
        .unwrap_or_else(|| panic!("README.md has a '{heading}' section"));
    let block = section
        .split("```sh")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a ```sh block in the section");
    let mut expected = None;
    let mut commands = Vec::new();
    for line in block.lines().map(str::trim) {
        if let Some(comment) = line.strip_prefix('#') {
            expected = comment
                .split(|c: char| !c.is_ascii_digit())
                .filter_map(|word| word.parse::<u16>().ok())
                .find(|code| (100..600).contains(code));
        } else if line.starts_with("curl ") {
            commands.push((expected, line.to_owned()));
        }
    }
    commands
}

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README.md")
}

fn run_commands(server: &TestServer, commands: Vec<(Option<u16>, String)>) {
    let origin = server.base.trim_end_matches("/fhir").to_owned();
    for (expected, command) in commands {
        let command = command.replace("http://localhost:8080", &origin);
        // -w prints the status on a last line of its own; the command is otherwise as printed.
        let output = Command::new("sh")
            .arg("-c")
            .arg(format!("{command} -w '\\n%{{http_code}}'"))
            .output()
            .expect("run sh (and curl)");
        assert!(
            output.status.success(),
            "{command}\nfailed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        let status: u16 = stdout
            .lines()
            .last()
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or(0);
        match expected {
            Some(code) if code >= 300 => assert_eq!(status, code, "{command}\n{stdout}"),
            _ => assert!(
                (200..300).contains(&status),
                "{command}\nanswered {status}:\n{stdout}"
            ),
        }
        assert!(
            !stdout.contains("\"severity\":\"error\"") || expected.is_some_and(|c| c >= 300),
            "{command}\nreported an error:\n{stdout}"
        );
    }
}

#[test]
fn readme_curl_examples_work_as_printed() {
    let commands = section_commands(&readme(), "## Try it");
    assert!(
        commands.len() >= 8,
        "found only {} curl lines",
        commands.len()
    );
    run_commands(&TestServer::start(), commands);
}

#[test]
fn readme_demo_tour_works_as_printed() {
    let commands = section_commands(&readme(), "## Tour of the demo network");
    assert!(
        commands.len() >= 4,
        "found only {} curl lines",
        commands.len()
    );
    run_commands(&TestServer::start_demo(2), commands);
}
