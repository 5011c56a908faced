//! The CI recipes in examples/ci: each file is valid YAML of the shape its CI reads, it
//! installs the wheel, and every `schemaplan` command it runs is run here, exactly as
//! written, on a copy of the demo: `check` offline, `apply` against a fresh test
//! database from `DATABASE_URL`.

mod common;

use std::path::Path;

use common::{both, demo_project, root, TestDb};
use serde_norway::Value;

/// Every shell line of a workflow: GitHub steps' `run`, GitLab jobs' `script`.
fn shell_lines(doc: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    collect(doc, &mut lines);
    lines
}

fn collect(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Mapping(m) => {
            for (k, v) in m {
                match (k.as_str(), v) {
                    (Some("run"), Value::String(s)) => out.extend(s.lines().map(str::to_string)),
                    (Some("script"), Value::Sequence(items)) => out.extend(
                        items
                            .iter()
                            .filter_map(Value::as_str)
                            .map(|s| s.replace('\n', " ")),
                    ),
                    _ => collect(v, out),
                }
            }
        }
        Value::Sequence(items) => items.iter().for_each(|i| collect(i, out)),
        _ => {}
    }
}

/// The `schemaplan` invocations of a shell line, up to the first redirection or
/// operator: `["check", "--mode", "offline", ...]`.
fn invocations(line: &str) -> Vec<Vec<String>> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut found = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if *w != "schemaplan" || words.get(i.wrapping_sub(1)) == Some(&"install") {
            continue;
        }
        let args: Vec<String> = words[i + 1..]
            .iter()
            .take_while(|w| !matches!(**w, ">" | "|" | "||" | "&&" | ";" | "2>&1"))
            .map(|w| w.to_string())
            .collect();
        found.push(args);
    }
    found
}

fn read(path: &Path) -> (String, Value) {
    let text = std::fs::read_to_string(path).unwrap();
    let doc: Value = serde_norway::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not valid YAML: {e}", path.display()));
    (text, doc)
}

#[tokio::test]
async fn every_schemaplan_command_in_the_ci_recipes_runs_as_written() {
    let github = root().join("examples/ci/github/schemaplan.yml");
    let gitlab = root().join("examples/ci/gitlab/.gitlab-ci.yml");
    let (_, gh) = read(&github);
    for job in ["check", "deploy"] {
        assert!(
            gh["jobs"][job]["steps"].as_sequence().is_some(),
            "{} has no job {job} with steps",
            github.display()
        );
    }
    assert!(gh["on"]["pull_request"].is_mapping(), "{gh:?}");
    let (_, gl) = read(&gitlab);
    assert!(gl["stages"].as_sequence().is_some(), "{gl:?}");
    for job in ["schemaplan-check", "schemaplan-deploy"] {
        assert!(gl[job]["script"].as_sequence().is_some(), "no job {job}");
    }

    let db = TestDb::new().await;
    let mut ran = Vec::new();
    for (path, doc) in [(&github, &gh), (&gitlab, &gl)] {
        let lines = shell_lines(doc);
        assert!(
            lines.iter().any(|l| l.trim() == "pip install schemaplan"),
            "{} does not install the wheel",
            path.display()
        );
        for args in lines.iter().flat_map(|l| invocations(l)) {
            // Each on its own copy of the demo, whose schema/ and plans/ agree.
            let demo = demo_project();
            let o = std::process::Command::new(env!("CARGO_BIN_EXE_schemaplan"))
                .args(&args)
                .current_dir(demo.path())
                .env("DATABASE_URL", &db.url)
                .env_remove("SCHEMAPLAN_DEV_URL")
                .output()
                .unwrap();
            assert!(
                o.status.success(),
                "{}: schemaplan {} failed:\n{}",
                path.display(),
                args.join(" "),
                both(&o)
            );
            let out = String::from_utf8_lossy(&o.stdout).to_string();
            match args[0].as_str() {
                "check" => assert!(out.contains("schemaplan check"), "{out}"),
                "apply" => {
                    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
                    assert!(report["current"].is_array(), "{report:#}");
                }
                other => panic!("{}: unexpected command {other}", path.display()),
            }
            ran.push(format!("{}: {}", path.display(), args.join(" ")));
        }
    }
    // Both files check and deploy.
    assert_eq!(ran.len(), 4, "{ran:#?}");
}
