//! GeoJSON as maps built on OpenStreetMap export it (Karte von morgen and
//! others): `addr:*` and `contact:*` keys, descriptions per language.

#![allow(clippy::unwrap_used, reason = "a test that cannot go on should stop loudly")]

use impactmap_formats::{ImportOptions, embedded_reference, import_bytes};

/// The stated country, town, website and e-mail are read from OSM keys; a
/// feature with only translated descriptions gets one of them, and the
/// report names the translations it does not keep; a point whose stated
/// country lies elsewhere keeps that country and is flagged.
#[test]
fn osm_keys_and_translated_descriptions_are_read() {
    let file = concat!(
        r#"{"type":"FeatureCollection","features":["#,
        r#"{"type":"Feature","id":"n1","geometry":{"type":"Point","coordinates":[24.1,56.95]},"#,
        r#""properties":{"name":"Rīgas Kopiena","addr:country":"LV","addr:city":"Riga","#,
        r#""addr:street":"Brīvības iela 1","contact:website":"https://kopiena.example","#,
        r#""contact:email":"info@kopiena.example","description:de":"Eine Gemeinschaft.","#,
        r#""description:fr":"Une communauté."}},"#,
        r#"{"type":"Feature","id":"n2","geometry":{"type":"Point","coordinates":[56.95,24.1]},"#,
        r#""properties":{"name":"Swapped","addr:country":"LV","description":"Its own.","#,
        r#""description:de":"Eigene."}}]}"#
    );
    let options = ImportOptions::new("kvm", "2026-12-01T00:00:00Z".parse().unwrap());
    let report =
        import_bytes("osm.geojson", file.as_bytes(), &embedded_reference(), &options).unwrap();
    let issues: Vec<String> = report.issues.iter().map(|i| i.render("osm.geojson")).collect();
    assert_eq!(report.rejected(), 0, "{issues:#?}");
    let [riga, swapped] = &report.organisations[..] else { panic!("{issues:#?}") };
    assert_eq!((riga.country.as_str(), riga.city.as_str()), ("LV", "Riga"));
    assert_eq!(riga.website.as_deref(), Some("https://kopiena.example/"));
    assert_eq!(riga.email.as_deref(), Some("info@kopiena.example"));
    assert_eq!(riga.description, "Une communauté.", "French before German");
    assert_eq!(swapped.description, "Its own.");
    assert_eq!(swapped.country.as_str(), "LV", "the stated country stays");
    let said = |needle: &str| issues.iter().any(|i| i.contains(needle));
    assert!(said("feature 1: description: none of its own; description:fr used"), "{issues:#?}");
    assert!(said("translations not kept: description:de, description:fr"), "{issues:#?}");
    assert!(said("columns not used: addr:street"), "{issues:#?}");
    assert!(
        issues.iter().any(|i| i.contains("feature 2: lat: the point 56.95,24.1 lies outside LV")),
        "{issues:#?}"
    );
}
