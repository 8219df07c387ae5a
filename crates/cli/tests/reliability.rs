//! RELIABILITY.md is the map from each promise of the battery to the tests
//! that keep it. This test keeps the map true: every row is there, every
//! test it names exists, and each names its row where it is written.

#![allow(
    clippy::unwrap_used,
    reason = "a test that cannot go on should stop loudly, helpers included"
)]

use std::path::{Path, PathBuf};

/// The rows of the battery: A1–A16, B1–B6, C1–C10, D1–D8, E1–E13, P1–P10.
fn battery() -> Vec<String> {
    [('A', 16), ('B', 6), ('C', 10), ('D', 8), ('E', 13), ('P', 10)]
        .iter()
        .flat_map(|&(letter, n)| (1..=n).map(move |i| format!("{letter}{i}")))
        .collect()
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Whether `text` names the row `id` (`A1` but not inside `A12`).
fn names(text: &str, id: &str) -> bool {
    text.match_indices(id).any(|(at, _)| {
        let before = text[..at].chars().next_back().is_none_or(|c| !c.is_ascii_alphanumeric());
        let after = text[at + id.len()..].chars().next().is_none_or(|c| !c.is_ascii_digit());
        before && after
    })
}

/// The comments and attributes right above the line holding `needle`.
fn above(source: &str, needle: impl Fn(&str) -> bool) -> Option<String> {
    let lines: Vec<&str> = source.lines().collect();
    let at = lines.iter().position(|l| needle(l))?;
    let start = lines[..at]
        .iter()
        .rposition(|l| !["///", "//", "#["].iter().any(|p| l.trim_start().starts_with(p)))
        .map_or(0, |i| i + 1);
    Some(lines[start..at].join("\n"))
}

/// Where the reference `file::name` (or a plain file) fails to name row `id`, why.
fn check(id: &str, reference: &str) -> Option<String> {
    let (file, name) = reference.split_once("::").map_or((reference, None), |(f, n)| (f, Some(n)));
    let Ok(source) = std::fs::read_to_string(root().join(file)) else {
        return Some(format!("{id}: no file {file}"));
    };
    let context = match name {
        None => Some(source.clone()),
        Some(name) if Path::new(file).extension().is_some_and(|e| e == "rs") => {
            above(&source, |l| {
                l.contains(&format!("fn {name}(")) || l.contains(&format!("fn {name}<"))
            })
        }
        Some(name) if Path::new(file).extension().is_some_and(|e| e == "mjs") => {
            above(&source, |l| l.contains(&format!("test(\"{name}\"")))
        }
        // A step of a script names its row in its own name.
        Some(name) => source.contains(name).then(|| name.to_owned()),
    };
    match context {
        None => Some(format!("{id}: {reference} does not exist")),
        Some(text) if !names(&text, id) => {
            Some(format!("{id}: {reference} does not name {id} where it is written"))
        }
        Some(_) => None,
    }
}

#[test]
fn every_row_of_the_battery_has_a_test_that_names_it() {
    let map = std::fs::read_to_string(root().join("RELIABILITY.md")).unwrap();
    let mut problems = Vec::new();
    let mut seen = Vec::new();
    for line in map.lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = line.split(" | ").collect();
        let id = cells[0].trim_start_matches("| ").to_owned();
        if !battery().contains(&id) {
            continue;
        }
        let references: Vec<&str> = cells[2].split('`').skip(1).step_by(2).collect();
        if references.is_empty() {
            problems.push(format!("{id}: no test"));
        }
        problems.extend(references.iter().filter_map(|r| check(&id, r)));
        seen.push(id);
    }
    let missing: Vec<String> = battery().into_iter().filter(|id| !seen.contains(id)).collect();
    assert!(missing.is_empty(), "rows missing from RELIABILITY.md: {missing:?}");
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_map_check_reads_rows_and_names_exactly() {
    assert!(names("RELIABILITY A1, P2.", "A1") && names("(A1)", "A1"));
    assert!(!names("RELIABILITY A12", "A1") && !names("DATA1", "A1"));
    assert_eq!(
        check("A1", "crates/cli/tests/reliability.rs::no_such_test").unwrap(),
        "A1: crates/cli/tests/reliability.rs::no_such_test does not exist"
    );
    assert!(
        check(
            "B9",
            "crates/cli/tests/reliability.rs::every_row_of_the_battery_has_a_test_that_names_it"
        )
        .unwrap()
        .contains("does not name B9")
    );
    assert!(check("A1", "no/such/file.rs").is_some());
}
