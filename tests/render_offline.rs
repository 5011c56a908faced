//! Every statement form `render` writes is one the offline interpreter reads (issue 16,
//! defect 1: `check` failed right after `plan -m` because the online form of a new key,
//! `ADD CONSTRAINT ... USING INDEX`, was not modelled).
//!
//! For every `tests/fixtures/diff/<case>`, from.sql and to.sql are read offline, and the
//! plan between them is rendered as `plan` writes it into a revision file, in the
//! online forms (`online::<case>`) and in the plain ones (`plain::<case>`, what
//! `--no-online` writes). Its up section, interpreted offline on top of from.sql, must
//! read as to.sql (planning again finds nothing); its down section on top of to.sql
//! must read as from.sql. No database.
//!
//! Trials that cannot pass yet are listed with the reason in
//! `tests/fixtures/render_offline_known_failures.txt`; a listed trial that passes fails,
//! so the list only shrinks.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use libtest_mimic::{Arguments, Failed, Trial};
use schemaplan::project::{plan_changes, plan_with_renames};

const KNOWN_FAILURES: &str = "tests/fixtures/render_offline_known_failures.txt";

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let cases = common::diff_cases();
    let known = known_failures();
    let mut trials = Vec::new();
    let mut names = Vec::new();
    for path in cases {
        let case = path.file_name().unwrap().to_string_lossy().to_string();
        for (form, online) in [("online", true), ("plain", false)] {
            let name = format!("{form}::{case}");
            let reason = known.get(&name).cloned();
            let p = path.clone();
            names.push(name.clone());
            trials.push(Trial::test(name, move || {
                expect(round_trip(&p, online), reason)
            }));
        }
    }
    let unknown: Vec<String> = known
        .keys()
        .filter(|k| !names.contains(k))
        .cloned()
        .collect();
    trials.push(Trial::test(
        "known_failures_name_existing_trials",
        move || {
            if unknown.is_empty() {
                Ok(())
            } else {
                Err(format!("{KNOWN_FAILURES} lists trials that do not exist: {unknown:?}").into())
            }
        },
    ));
    libtest_mimic::run(&args, trials).exit_code()
}

/// A trial's outcome given whether it is listed as a known failure.
fn expect(result: Result<(), String>, known: Option<String>) -> Result<(), Failed> {
    match (result, known) {
        (Ok(()), None) => Ok(()),
        (Err(e), None) => Err(Failed::from(e)),
        (Ok(()), Some(_)) => Err(Failed::from(format!(
            "listed in {KNOWN_FAILURES} but passes now: remove it from the list"
        ))),
        (Err(_), Some(_)) => Ok(()),
    }
}

/// `trial: reason` lines; `#` comments and blank lines skipped.
fn known_failures() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(common::root().join(KNOWN_FAILURES)).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let (case, reason) = l.split_once(": ")?;
            Some((case.trim().to_string(), reason.trim().to_string()))
        })
        .collect()
}

fn round_trip(dir: &Path, online: bool) -> Result<(), String> {
    let mut from = common::offline_catalog(dir, "from.sql")?;
    let mut to = common::offline_catalog(dir, "to.sql")?;
    // Owners written out on both sides, so that each is the state its section starts
    // from (as `plan` reads them).
    schemaplan::diff::settle_owners(&mut from, &mut to);
    // The two sections as the revision file has them, as `plan` makes them.
    let (up, down, _) = plan_with_renames(&from, &to, &[], online, Default::default())
        .map_err(|e| e.to_string())?;
    if up.is_empty() {
        return Err("from.sql and to.sql read the same offline: nothing to render".into());
    }
    for (start, section, goal, which) in [(&from, up, &to, "up"), (&to, down, &from, "down")] {
        let text = section.to_string();
        let path = Path::new("plans/rendered.sql");
        let statements =
            schemaplan::parse::split_script(path, &text, 1).map_err(|e| e.to_string())?;
        let mut catalog = start.clone();
        schemaplan::offline::interpret_script(&mut catalog, &statements)
            .map_err(|e| format!("{which}: {e}\n--- {which} section:\n{text}"))?;
        let left = plan_changes(&catalog, goal, online, None).map_err(|e| e.to_string())?;
        if !left.is_empty() {
            return Err(format!(
                "after the {which} section, offline still finds:\n{left}\n--- {which} section:\n{text}"
            ));
        }
    }
    Ok(())
}
