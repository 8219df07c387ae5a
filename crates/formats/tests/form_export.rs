//! A form export as the alliance's form tools write it (Google Forms,
//! Framaforms, LimeSurvey): one column per question, headed by the question
//! in the form's language, values in that language. It imports with no
//! mapping: every answer the map keeps is kept, and what is dropped is named.

#![allow(clippy::unwrap_used, reason = "a test that cannot go on should stop loudly")]

use std::path::Path;

use impactmap_formats::{ImportOptions, Severity, embedded_reference, import_file};
use impactmap_model::Organisation;

fn import(name: &str) -> (Vec<Organisation>, Vec<String>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    let options = ImportOptions::new("form", "2026-12-01T00:00:00Z".parse().unwrap());
    let report = import_file(&path, &embedded_reference(), &options).unwrap();
    let issues = report.issues.iter().map(|i| i.render(name)).collect();
    assert_eq!(report.rejected(), 0, "{:#?}", report.issues);
    assert!(report.issues.iter().all(|i| i.severity == Severity::Warning));
    (report.organisations, issues)
}

/// A French form export keeps names, families, sectors, goals, descriptions,
/// e-mails and the form's own timestamps; a placeholder e-mail and a second
/// website are dropped by name, never the row; the contact person's column
/// is reported as not used.
#[test]
fn a_french_form_export_imports_whole() {
    let (orgs, issues) = import("form-export-fr.csv");
    let summary: Vec<(&str, &str, &str, Vec<&str>, String)> = orgs
        .iter()
        .map(|o| {
            let sectors = o.sectors.iter().map(impactmap_model::TermKey::as_str).collect();
            (o.name.as_str(), o.country.as_str(), o.family.as_str(), sectors, o.sdgs.to_string())
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "Coopérative Solaire de Thiès",
                "SN",
                "cooperative",
                vec!["energy-water"],
                "7;13".into()
            ),
            ("Mutuelle Santé Pour Tous", "BJ", "mutual", vec!["health-social"], "3;10".into()),
            ("Réseau Finance Solidaire", "FR", "network", vec!["finance"], "1;8;10".into()),
            ("Agro Femmes de Bouaké", "CI", "association", vec!["food-agriculture"], "2".into()),
        ]
    );
    let first = &orgs[0];
    assert_eq!(
        first.description,
        "Une coopérative qui installe des panneaux solaires\nsur les toits des écoles."
    );
    assert_eq!(first.email.as_deref(), Some("contact@coopsolaire.example"));
    assert_eq!(first.website.as_deref(), Some("https://coopsolaire.example/"));
    assert_eq!(first.city, "Thiès");
    assert_eq!(first.submitted.unwrap().to_string(), "2025-03-14T09:02:11Z");
    assert_eq!(first.created.to_string(), "2026-12-01T00:00:00Z", "the store's own date");
    assert_eq!(orgs[1].website.as_deref(), Some("https://www.mutuelle-sante.example/"));
    assert_eq!(orgs[2].email, None);
    assert_eq!(orgs[2].website.as_deref(), Some("https://finsol.example/"));
    let named = |needle: &str| issues.iter().any(|i| i.contains(needle));
    assert!(named("form-export-fr.csv:5: email: 'n/a' dropped"), "{issues:#?}");
    assert!(named(":5: website: one address kept; also: https://finsol-lyon.example"));
    let unused = "columns not used: Nom de la personne contact \
                  (e.g. Awa Ndiaye | Koffi Agbo | Mariam Koné)";
    assert!(named(unused), "{issues:#?}");
}

/// A Spanish export with a day-first timestamp and `;` between cells reads
/// as the French one does.
#[test]
fn a_spanish_form_export_imports_whole() {
    let (orgs, _) = import("form-export-es.csv");
    let summary: Vec<(&str, &str, &str, &str, String)> = orgs
        .iter()
        .map(|o| {
            let submitted = o.submitted.unwrap().to_string();
            (
                o.name.as_str(),
                o.country.as_str(),
                o.family.as_str(),
                o.sectors[0].as_str(),
                submitted,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "Cooperativa de Ahorro Quito Solidario",
                "EC",
                "cooperative",
                "finance",
                "2025-03-14T09:30:00Z".into()
            ),
            (
                "Mutual de Salud Lima",
                "PE",
                "mutual",
                "health-social",
                "2025-03-15T11:05:00Z".into()
            ),
        ]
    );
    assert_eq!(orgs[0].description, "Ahorro y crédito para familias.");
    assert_eq!(orgs[1].email.as_deref(), Some("contacto@mutual-lima.example"));
    assert_eq!(orgs[1].website, None);
}
