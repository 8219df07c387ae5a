use crate::{Boundaries, Countries, Gazetteer, Taxonomy};

/// The reference data every validation and import needs, loaded once and
/// passed by reference. The data shipped in `data/` is read by
/// `impactmap_formats::embedded_reference`.
#[derive(Debug)]
pub struct Reference {
    /// Families, sectors, continents.
    pub taxonomy: Taxonomy,
    /// ISO 3166-1 countries.
    pub countries: Countries,
    /// Country polygons.
    pub boundaries: Boundaries,
    /// Real towns.
    pub gazetteer: Gazetteer,
}

/// A small reference for unit tests: the terms and the one country (Senegal)
/// they use, no outlines, no towns.
#[cfg(test)]
pub(crate) fn test_reference() -> Reference {
    use crate::{Country, CountryCode, Term, TermKey};
    let key = |k: &str| TermKey::try_from(k.to_owned()).unwrap();
    let terms = |keys: &[&str]| {
        keys.iter()
            .map(|k| Term {
                key: key(k),
                en: (*k).into(),
                fr: (*k).into(),
                es: (*k).into(),
                codes: vec![],
                synonyms: vec![],
            })
            .collect()
    };
    let taxonomy = Taxonomy::new(
        terms(&["unclassified", "mutual"]),
        terms(&["unclassified", "health-social", "finance"]),
        terms(&["africa"]),
    )
    .unwrap();
    let senegal = Country {
        code: CountryCode::parse("SN").unwrap(),
        alpha3: "SEN".into(),
        continent: key("africa"),
        names: ["Senegal", "Sénégal", "Senegal", "Senegal"].map(str::to_owned),
        lat: 14.5,
        lon: -14.5,
        other_names: vec![],
    };
    let countries = Countries::new(vec![senegal], &taxonomy).unwrap();
    Reference {
        taxonomy,
        countries,
        boundaries: Boundaries::new([]).unwrap(),
        gazetteer: Gazetteer::new(vec![]),
    }
}
