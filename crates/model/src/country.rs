use std::collections::HashMap;
use std::fmt;

use crate::{Facet, FieldError, ModelError, Taxonomy, TermKey, fold};

/// An ISO 3166-1 alpha-2 code, upper case (`FR`, `SN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    fn from_letters(text: &str) -> Option<Self> {
        match text.as_bytes() {
            &[a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
                Some(Self([a.to_ascii_uppercase(), b.to_ascii_uppercase()]))
            }
            _ => None,
        }
    }

    /// Checks the form only: two ASCII letters, returned upper case. Use
    /// [`Countries::code`] for a code from outside, which also checks it exists.
    ///
    /// # Errors
    /// A [`FieldError`] naming `country`.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        Self::from_letters(text)
            .ok_or_else(|| FieldError::new("country", format!("'{text}' is not two letters")))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        // Both bytes are ASCII letters, checked on construction.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A country with its continent and names.
#[derive(Debug, Clone)]
pub struct Country {
    /// ISO 3166-1 alpha-2.
    pub code: CountryCode,
    /// ISO 3166-1 alpha-3.
    pub alpha3: String,
    /// The continent key of the taxonomy.
    pub continent: TermKey,
    /// Names in English, French, Spanish and Portuguese.
    pub names: [String; 4],
    /// A representative point (degrees), not a centroid.
    pub lat: f64,
    /// A representative point (degrees), not a centroid.
    pub lon: f64,
    /// Other names people write for it, official or not (`UK`, `Brasil`).
    pub other_names: Vec<String>,
}

impl Country {
    /// The name in a language (`en`, `fr`, `es`, `pt`), English otherwise.
    pub fn name(&self, lang: &str) -> &str {
        let index = match lang {
            "fr" => 1,
            "es" => 2,
            "pt" => 3,
            _ => 0,
        };
        &self.names[index]
    }
}

/// Every ISO 3166-1 country, with a lenient lookup by code or name.
#[derive(Debug)]
pub struct Countries {
    list: Vec<Country>,
    /// Position in `list` by code, indexed by `(A-Z) * 26 + (A-Z)`.
    by_code: Vec<Option<u16>>,
    by_folded_name: HashMap<String, usize>,
}

fn code_slot(code: CountryCode) -> usize {
    usize::from(code.0[0] - b'A') * 26 + usize::from(code.0[1] - b'A')
}

impl Countries {
    /// Indexes the countries by code and by every name, in the order given:
    /// first their four names and alpha-3 codes, then their other names, so
    /// that another country's other name (an endonym, a former name, a
    /// transliteration) never takes a country's own name.
    ///
    /// # Errors
    /// [`ModelError::UnknownContinent`] for a country whose continent is not
    /// one of the taxonomy's.
    pub fn new(list: Vec<Country>, taxonomy: &Taxonomy) -> Result<Self, ModelError> {
        if let Some(country) =
            list.iter().find(|c| taxonomy.term(Facet::Continent, c.continent.as_str()).is_none())
        {
            return Err(ModelError::UnknownContinent {
                country: country.code,
                continent: country.continent.clone(),
            });
        }
        let own = list
            .iter()
            .enumerate()
            .flat_map(|(i, c)| c.names.iter().chain([&c.alpha3]).map(move |name| (i, name)));
        let other = list
            .iter()
            .enumerate()
            .flat_map(|(i, c)| c.other_names.iter().map(move |name| (i, name)));
        let mut by_folded_name = HashMap::new();
        for (index, name) in own.chain(other) {
            let key = fold(name);
            // Names shared by two countries ("Congo") stay with the first;
            // the code disambiguates.
            if !key.is_empty() {
                by_folded_name.entry(key).or_insert(index);
            }
        }
        let mut by_code = vec![None; 26 * 26];
        for (index, country) in list.iter().enumerate() {
            by_code[code_slot(country.code)] = u16::try_from(index).ok();
        }
        Ok(Self { list, by_code, by_folded_name })
    }

    /// All countries, in the order given (the shipped file orders them by code).
    pub fn all(&self) -> &[Country] {
        &self.list
    }

    /// The country with this alpha-2 code (any case).
    pub fn get(&self, code: &str) -> Option<&Country> {
        let code = CountryCode::from_letters(code.trim())?;
        self.by_code[code_slot(code)].map(|i| &self.list[usize::from(i)])
    }

    /// Validates an alpha-2 code.
    ///
    /// # Errors
    /// A [`FieldError`] naming `country` when the code is unknown.
    pub fn code(&self, code: &str) -> Result<CountryCode, FieldError> {
        self.get(code).map(|c| c.code).ok_or_else(|| {
            FieldError::new("country", format!("'{code}' is not an ISO 3166-1 alpha-2 code"))
        })
    }

    /// Finds a country as people write it: an alpha-2 or alpha-3 code, a name
    /// in English, French, Spanish or Portuguese, an official or other name
    /// (`UK`, `Brasil`, `Cameroun`), with one letter wrong in a name of five or
    /// more letters when only one country is that close.
    pub fn find(&self, text: &str) -> Option<&Country> {
        let text = text.trim();
        if let Some(country) = self.get(text) {
            return Some(country);
        }
        let key = fold(text);
        if key.is_empty() {
            return None;
        }
        if let Some(&index) = self.by_folded_name.get(&key) {
            return Some(&self.list[index]);
        }
        if key.len() < 5 {
            return None;
        }
        let mut near = self
            .by_folded_name
            .iter()
            .filter(|(name, _)| one_edit_apart(name, &key))
            .map(|(_, &i)| i);
        let first = near.next()?;
        near.all(|i| i == first).then(|| &self.list[first])
    }
}

/// Whether one letter changed, added or dropped turns `a` into `b` (a
/// Levenshtein distance of exactly 1). Folded names are ASCII, so bytes are
/// letters.
fn one_edit_apart(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() {
        (a.as_bytes(), b.as_bytes())
    } else {
        (b.as_bytes(), a.as_bytes())
    };
    let same = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    match long.len() - short.len() {
        0 => same < short.len() && short[same + 1..] == long[same + 1..],
        1 => short[same..] == long[same + 1..],
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Term;

    fn key(text: &str) -> TermKey {
        TermKey::try_from(text.to_owned()).unwrap()
    }

    fn country(
        code: &str,
        alpha3: &str,
        continent: &str,
        names: [&str; 4],
        other_names: &[&str],
    ) -> Country {
        Country {
            code: CountryCode::parse(code).unwrap(),
            alpha3: alpha3.to_owned(),
            continent: key(continent),
            names: names.map(str::to_owned),
            lat: 0.0,
            lon: 0.0,
            other_names: other_names.iter().map(|n| (*n).to_owned()).collect(),
        }
    }

    fn taxonomy() -> Taxonomy {
        let term = |k: &str| Term {
            key: key(k),
            en: k.into(),
            fr: k.into(),
            es: k.into(),
            codes: vec![],
            synonyms: vec![],
        };
        Taxonomy::new(
            vec![term("unclassified")],
            vec![term("unclassified")],
            vec![term("africa"), term("europe")],
        )
        .unwrap()
    }

    fn countries() -> Countries {
        let list = vec![
            country("AR", "ARG", "europe", ["Argentina"; 4], &[]),
            country("BR", "BRA", "europe", ["Brazil", "Brésil", "Brasil", "Brasil"], &[]),
            country(
                "GB",
                "GBR",
                "europe",
                ["United Kingdom", "Royaume-Uni", "Reino Unido", "Reino Unido"],
                &["UK", "Great Britain"],
            ),
            country("SN", "SEN", "africa", ["Senegal", "Sénégal", "Senegal", "Senegal"], &[]),
            country(
                "SM",
                "SMR",
                "europe",
                ["San Marino", "Saint-Marin", "San Marino", "São Marinho"],
                &[],
            ),
            country("FR", "FRA", "europe", ["France", "France", "Francia", "França"], &[]),
        ];
        Countries::new(list, &taxonomy()).unwrap()
    }

    #[test]
    fn finds_countries_by_code_name_other_name_and_one_letter_off() {
        let c = countries();
        let code = |s| c.find(s).map(|c| c.code.to_string());
        for (text, expected) in [
            ("fr", "FR"),
            (" gbr ", "GB"),
            ("Brésil", "BR"),
            ("UK", "GB"),
            ("great britain", "GB"),
            ("Sénégal", "SN"),
            ("Senegall", "SN"),
            ("Argentinia", "AR"),
            ("Francia", "FR"),
        ] {
            assert_eq!(code(text).as_deref(), Some(expected), "{text}");
        }
        assert_eq!(code("Fance"), Some("FR".to_owned()));
        assert_eq!(code("Atlantis"), None);
        assert_eq!(code("Frnace"), None, "a swap is two edits");
        assert_eq!(code("XX"), None);
        assert_eq!(code(""), None);
        assert_eq!(c.get("gb").unwrap().name("es"), "Reino Unido");
        assert_eq!(
            c.code("ZZ").unwrap_err().to_string(),
            "country: 'ZZ' is not an ISO 3166-1 alpha-2 code"
        );
    }

    /// A name one letter from two countries' names is neither's.
    #[test]
    fn a_name_one_letter_from_two_countries_is_not_found() {
        let list = vec![
            country("AA", "AAA", "europe", ["Bolania"; 4], &[]),
            country("BB", "BBB", "europe", ["Bolivia"; 4], &[]),
        ];
        let c = Countries::new(list, &taxonomy()).unwrap();
        assert_eq!(c.find("Boliwia").map(|c| c.code.to_string()).as_deref(), Some("BB"));
        assert_eq!(c.find("Bolinia").map(|c| c.code.to_string()), None);
    }

    #[test]
    fn refuses_a_country_of_an_unknown_continent() {
        let list = vec![country("FR", "FRA", "atlantis", ["France"; 4], &[])];
        let err = Countries::new(list, &taxonomy()).unwrap_err();
        assert_eq!(err.to_string(), "FR: unknown continent 'atlantis'");
    }

    proptest::proptest! {
        /// Against strsim's Levenshtein distance, on short words of few
        /// letters so that near misses are common.
        #[test]
        fn one_edit_apart_is_a_levenshtein_distance_of_one(a in "[abc]{0,6}", b in "[abc]{0,6}") {
            proptest::prop_assert_eq!(one_edit_apart(&a, &b), strsim::levenshtein(&a, &b) == 1);
        }
    }
}
