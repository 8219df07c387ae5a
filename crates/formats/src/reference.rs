//! The reference data's files: `data/taxonomy.toml`, `data/countries.csv`,
//! `data/boundaries.geojson` and `data/gazetteer.csv`, parsed into the
//! model's types.

use geo_types::MultiPolygon;
use impactmap_model::{
    Boundaries, Countries, Country, CountryCode, Gazetteer, LonLat, Reference, Taxonomy, Term,
    TermKey, Town,
};
use serde::Deserialize;

use crate::FormatError;

/// The reference data shipped in `data/`, compiled into the binary.
///
/// # Panics
/// Only if the shipped files are broken, which the crate's tests catch.
pub fn embedded_reference() -> Reference {
    parse(
        include_str!("../../../data/taxonomy.toml"),
        include_str!("../../../data/countries.csv"),
        include_str!("../../../data/boundaries.geojson"),
        include_str!("../../../data/gazetteer.csv"),
    )
    .expect("the reference data shipped in data/ parses")
}

/// Parses reference data from the texts of the four files in `data/`.
///
/// # Errors
/// [`FormatError::Reference`] naming the file that does not parse, or
/// [`FormatError::InconsistentReference`] naming the file whose content the
/// model refuses (a country whose continent the taxonomy does not know).
fn parse(
    taxonomy: &str,
    countries: &str,
    boundaries: &str,
    gazetteer: &str,
) -> Result<Reference, FormatError> {
    let taxonomy = parse_taxonomy(taxonomy)?;
    let countries = parse_countries(countries, &taxonomy)?;
    let boundaries = parse_boundaries(boundaries, &countries)?;
    let gazetteer = parse_gazetteer(gazetteer, &countries)?;
    Ok(Reference { taxonomy, countries, boundaries, gazetteer })
}

/// A term's key as the files write it, checked as it is read so that an
/// error names its line.
#[derive(Deserialize)]
#[serde(try_from = "String")]
struct Key(TermKey);

impl TryFrom<String> for Key {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        TermKey::try_from(text).map(Self)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TermEntry {
    key: Key,
    en: String,
    fr: String,
    es: String,
    codes: Vec<String>,
    synonyms: Vec<String>,
}

impl From<TermEntry> for Term {
    fn from(entry: TermEntry) -> Self {
        Self {
            key: entry.key.0,
            en: entry.en,
            fr: entry.fr,
            es: entry.es,
            codes: entry.codes,
            synonyms: entry.synonyms,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaxonomyFile {
    family: Vec<TermEntry>,
    sector: Vec<TermEntry>,
    continent: Vec<TermEntry>,
}

/// Parses `data/taxonomy.toml`: one table array per facet.
fn parse_taxonomy(text: &str) -> Result<Taxonomy, FormatError> {
    const NAME: &str = "taxonomy.toml";
    let file: TaxonomyFile = toml::from_str(text)
        .map_err(|e| FormatError::Reference { name: NAME, message: e.to_string() })?;
    let terms = |entries: Vec<TermEntry>| entries.into_iter().map(Term::from).collect();
    Taxonomy::new(terms(file.family), terms(file.sector), terms(file.continent))
        .map_err(|source| FormatError::InconsistentReference { name: NAME, source })
}

#[derive(Deserialize)]
struct CountryRow {
    alpha2: String,
    alpha3: String,
    continent: Key,
    name_en: String,
    name_fr: String,
    name_es: String,
    name_pt: String,
    lat: f64,
    lon: f64,
    other_names: String,
}

/// Parses `data/countries.csv`; `other_names` are separated by `|`.
fn parse_countries(text: &str, taxonomy: &Taxonomy) -> Result<Countries, FormatError> {
    const NAME: &str = "countries.csv";
    let bad = |message: String| FormatError::Reference { name: NAME, message };
    let mut list = Vec::new();
    for row in csv::Reader::from_reader(text.as_bytes()).deserialize::<CountryRow>() {
        let row = row.map_err(|e| bad(e.to_string()))?;
        let code = CountryCode::parse(&row.alpha2)
            .map_err(|_| bad(format!("bad code '{}'", row.alpha2)))?;
        list.push(Country {
            code,
            alpha3: row.alpha3,
            continent: row.continent.0,
            names: [row.name_en, row.name_fr, row.name_es, row.name_pt],
            lat: row.lat,
            lon: row.lon,
            other_names: row
                .other_names
                .split('|')
                .filter(|n| !n.trim().is_empty())
                .map(str::to_owned)
                .collect(),
        });
    }
    Countries::new(list, taxonomy)
        .map_err(|source| FormatError::InconsistentReference { name: NAME, source })
}

/// Parses `data/boundaries.geojson`: one feature per country, `properties.iso2`.
fn parse_boundaries(text: &str, countries: &Countries) -> Result<Boundaries, FormatError> {
    const NAME: &str = "boundaries.geojson";
    let bad = |message: String| FormatError::Reference { name: NAME, message };
    let collection: geojson::FeatureCollection =
        text.parse().map_err(|e: geojson::Error| bad(e.to_string()))?;
    let mut outlines = Vec::with_capacity(collection.features.len());
    for feature in collection.features {
        let iso2 = feature
            .property("iso2")
            .and_then(|v| v.as_str())
            .ok_or_else(|| bad("a feature has no iso2".into()))?
            .to_owned();
        let code = countries.code(&iso2).map_err(|e| bad(e.to_string()))?;
        let geometry = feature.geometry.ok_or_else(|| bad(format!("{iso2} has no geometry")))?;
        let polygon = MultiPolygon::try_from(geometry).map_err(|e| bad(format!("{iso2}: {e}")))?;
        outlines.push((code, polygon));
    }
    Boundaries::new(outlines)
        .map_err(|source| FormatError::InconsistentReference { name: NAME, source })
}

#[derive(Deserialize)]
struct TownRow {
    geonameid: u32,
    name: String,
    country: String,
    lat: f64,
    lon: f64,
    population: u32,
}

/// Parses `data/gazetteer.csv`; towns of countries we do not know are refused.
fn parse_gazetteer(text: &str, countries: &Countries) -> Result<Gazetteer, FormatError> {
    let bad = |message: String| FormatError::Reference { name: "gazetteer.csv", message };
    let mut towns = Vec::new();
    for row in csv::Reader::from_reader(text.as_bytes()).deserialize::<TownRow>() {
        let row = row.map_err(|e| bad(e.to_string()))?;
        let country = countries
            .code(&row.country)
            .map_err(|e| bad(format!("town {}: {e}", row.geonameid)))?;
        let at = LonLat::new(row.lon, row.lat)
            .map_err(|e| bad(format!("town {}: {e}", row.geonameid)))?;
        towns.push(Town {
            geoname_id: row.geonameid,
            name: row.name,
            country,
            location: at,
            population: row.population,
        });
    }
    Ok(Gazetteer::new(towns))
}

#[cfg(test)]
mod tests {
    use impactmap_model::Facet;

    use super::*;

    /// Parsed once: most tests below read it.
    static REFERENCE: std::sync::LazyLock<Reference> = std::sync::LazyLock::new(embedded_reference);

    #[test]
    fn shipped_taxonomy_has_the_expected_shape() {
        let t = &REFERENCE.taxonomy;
        assert_eq!(t.terms(Facet::Family).len(), 11);
        assert!((14..=17).contains(&t.terms(Facet::Sector).len()));
        assert_eq!(t.terms(Facet::Continent).len(), 6);
        for term in t
            .terms(Facet::Sector)
            .iter()
            .filter(|t| t.key.as_str() != "unclassified" && t.key.as_str() != "employment")
        {
            assert!(term.codes.iter().any(|c| c.starts_with("AM")), "{} has no AM code", term.key);
        }
    }

    #[test]
    fn shipped_taxonomy_resolves_labels_codes_uris_and_synonyms() {
        let t = &REFERENCE.taxonomy;
        let family = |s| t.resolve(Facet::Family, s).map(|t| t.key.as_str().to_owned());
        let sector = |s| t.resolve(Facet::Sector, s).map(|t| t.key.as_str().to_owned());
        assert_eq!(
            family("https://dev.lod.coop/essglobal/2.1/standard/organisational-structure/OS115")
                .as_deref(),
            Some("cooperative")
        );
        assert_eq!(
            family(
                "https://w3id.solidarityeconomy.coop/essglobal/V2a/standard/\
                 organisational-structure/OS170"
            )
            .as_deref(),
            Some("mutual")
        );
        assert_eq!(family("Multi-stakeholder co-op").as_deref(), Some("cooperative"));
        assert_eq!(family("COOPERATIVE AGRICOLE").as_deref(), Some("cooperative"));
        assert_eq!(family("Fondation").as_deref(), Some("foundation"));
        assert_eq!(sector("Banking / credit unions").as_deref(), Some("finance"));
        assert_eq!(sector("Training & Education").as_deref(), Some("education"));
        assert_eq!(sector("am80").as_deref(), Some("health-social"));
        assert_eq!(sector("Santé et action sociale").as_deref(), Some("health-social"));
        assert_eq!(sector("Quantum knitting"), None);
    }

    #[test]
    fn every_shipped_country_has_a_continent_and_four_names() {
        let c = &REFERENCE.countries;
        assert!(c.all().len() >= 249);
        for country in c.all() {
            assert!(country.names.iter().all(|n| !n.is_empty()), "{}", country.code);
        }
        assert_eq!(c.get("sn").unwrap().continent.as_str(), "africa");
        assert_eq!(c.get("MX").unwrap().continent.as_str(), "latin-america-caribbean");
        assert_eq!(c.get("CA").unwrap().continent.as_str(), "north-america");
        assert_eq!(c.get("NZ").unwrap().continent.as_str(), "oceania");
        assert_eq!(c.get("FR").unwrap().name("es"), "Francia");
    }

    #[test]
    fn finds_shipped_countries_leniently() {
        let c = &REFERENCE.countries;
        let code = |s| c.find(s).map(|c| c.code.to_string());
        for (text, expected) in [
            ("FR", "FR"),
            ("fra", "FR"),
            ("Brasil", "BR"),
            ("Cameroun", "CM"),
            ("UK", "GB"),
            ("United Kingdom", "GB"),
            ("cote d'ivoire", "CI"),
            ("Côte d’Ivoire", "CI"),
            ("Sénégal", "SN"),
            ("Senegall", "SN"),
            ("Argentinia", "AR"),
            ("Estados Unidos", "US"),
            ("Allemagne", "DE"),
            ("Turkey", "TR"),
            ("Türkei", "TR"),
            ("Österreich", "AT"),
            ("Ελλάδα", "GR"),
            ("اليونان", "GR"),
            ("Elfenbeinküste", "CI"),
            ("Ivory Coast", "CI"),
            ("Costa d'Avorio", "CI"),
            ("Deutschland", "DE"),
        ] {
            assert_eq!(code(text).as_deref(), Some(expected), "{text}");
        }
        assert_eq!(code("Atlantis"), None);
        assert_eq!(code(""), None);
        assert_eq!(code("XX"), None);
    }

    /// Another country's other name (an endonym, a former or translated
    /// name) never takes a country's own name: each of a country's four
    /// names finds a country that has it as its own.
    #[test]
    fn a_countrys_own_names_find_it_before_any_other_name() {
        let countries = &REFERENCE.countries;
        for country in countries.all() {
            for name in &country.names {
                let found = countries.find(name).unwrap();
                assert!(
                    found.names.contains(name),
                    "{name} of {} finds {}",
                    country.code,
                    found.code
                );
            }
        }
    }

    #[test]
    fn shipped_gazetteer_searches_by_prefix_and_finds_towns_off_the_outlines() {
        let g = &REFERENCE.gazetteer;
        let found = g.search("sao pau", 3);
        assert_eq!(found[0].name, "São Paulo");
        assert_eq!(found[0].country.as_str(), "BR");
        assert_eq!(g.search("THIES", 1)[0].country.as_str(), "SN");
        assert_eq!(g.town("SN", "thies").map(|t| t.name.as_str()), Some("Thiès"));
        let near =
            |lon, lat| g.nearest(LonLat::new(lon, lat).unwrap(), 0.5).map(|(t, _)| t.name.as_str());
        assert_eq!(near(179.202_6, -8.549_9), Some("Funafuti")); // Tuvalu: no polygon at 1:50m
        assert_eq!(near(-179.9, -8.52), None); // 0.9 degrees east of Funafuti across 180
        let funafuti = LonLat::new(179.202_6, -8.549_9).unwrap();
        assert_eq!(REFERENCE.boundaries.country_at(funafuti), None);
    }

    /// The file that does not parse, or whose content the model refuses, is named.
    #[test]
    fn broken_reference_data_names_its_file() {
        let taxonomy = include_str!("../../../data/taxonomy.toml");
        let countries = include_str!("../../../data/countries.csv");
        let message = |taxonomy: &str, countries: &str| {
            parse(taxonomy, countries, "", "").unwrap_err().to_string()
        };
        let broken = message("[[family]]\nkey = 1", countries);
        assert!(broken.starts_with("reference data taxonomy.toml: "), "{broken}");
        let twice = format!(
            "{taxonomy}\n[[family]]\nkey = \"guild\"\nen = \"Mutual\"\n\
             fr = \"\"\nes = \"\"\ncodes = []\nsynonyms = []\n"
        );
        assert_eq!(
            message(&twice, countries),
            "reference data taxonomy.toml: 'Mutual' names two family terms"
        );
        let atlantis = countries.replace(",FRA,250,europe,", ",FRA,250,atlantis,");
        assert_eq!(
            message(taxonomy, &atlantis),
            "reference data countries.csv: FR: unknown continent 'atlantis'"
        );
        let no_outlines = message(taxonomy, countries);
        assert!(no_outlines.starts_with("reference data boundaries.geojson: "), "{no_outlines}");
    }
}
