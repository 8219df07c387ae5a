use std::collections::HashMap;
use std::fmt;

use serde::Deserialize;

use crate::{FieldError, ModelError, TermKey, fold};

/// An ISO 3166-1 alpha-2 code, upper case (`FR`, `SN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    fn from_letters(text: &str) -> Option<Self> {
        match text.as_bytes() {
            &[a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => Some(Self([a.to_ascii_uppercase(), b.to_ascii_uppercase()])),
            _ => None,
        }
    }

    /// Checks the form only: two ASCII letters, returned upper case. Use
    /// [`Countries::code`] for a code from outside, which also checks it exists.
    ///
    /// # Errors
    /// A [`FieldError`] naming `country`.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        Self::from_letters(text).ok_or_else(|| FieldError::new("country", format!("'{text}' is not two letters")))
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

#[derive(Deserialize)]
struct CountryRow {
    alpha2: String,
    alpha3: String,
    continent: TermKey,
    name_en: String,
    name_fr: String,
    name_es: String,
    name_pt: String,
    lat: f64,
    lon: f64,
    other_names: String,
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
    /// Parses `data/countries.csv`.
    ///
    /// # Errors
    /// [`ModelError::Reference`] when a row does not parse.
    pub fn from_csv(text: &str) -> Result<Self, ModelError> {
        let bad = |message: String| ModelError::Reference { name: "countries.csv", message };
        let mut countries = Vec::new();
        let mut by_folded_name = HashMap::new();
        for (index, row) in csv::Reader::from_reader(text.as_bytes()).deserialize::<CountryRow>().enumerate() {
            let row = row.map_err(|e| bad(e.to_string()))?;
            let code = CountryCode::from_letters(&row.alpha2).ok_or_else(|| bad(format!("bad code '{}'", row.alpha2)))?;
            let names = [row.name_en, row.name_fr, row.name_es, row.name_pt];
            for name in names.iter().map(String::as_str).chain(row.other_names.split('|')).chain([row.alpha3.as_str()]) {
                let key = fold(name);
                // Names shared by two countries ("Congo") stay with the first; the code disambiguates.
                if !key.is_empty() {
                    by_folded_name.entry(key).or_insert(index);
                }
            }
            countries.push(Country { code, alpha3: row.alpha3, continent: row.continent, names, lat: row.lat, lon: row.lon });
        }
        let mut by_code = vec![None; 26 * 26];
        for (index, country) in countries.iter().enumerate() {
            by_code[code_slot(country.code)] = u16::try_from(index).ok();
        }
        Ok(Self { list: countries, by_code, by_folded_name })
    }

    /// All countries, ordered by code.
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
        self.get(code).map(|c| c.code).ok_or_else(|| FieldError::new("country", format!("'{code}' is not an ISO 3166-1 alpha-2 code")))
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
        let mut near = self.by_folded_name.iter().filter(|(name, _)| strsim::levenshtein(name, &key) == 1).map(|(_, &i)| i);
        let first = near.next()?;
        near.all(|i| i == first).then(|| &self.list[first])
    }
}

#[cfg(test)]
mod tests {
    use super::Countries;

    fn countries() -> Countries {
        Countries::from_csv(include_str!("../../../data/countries.csv")).unwrap()
    }

    #[test]
    fn every_country_has_a_continent_and_four_names() {
        let c = countries();
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
    fn finds_countries_leniently() {
        let c = countries();
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
        ] {
            assert_eq!(code(text).as_deref(), Some(expected), "{text}");
        }
        assert_eq!(code("Atlantis"), None);
        assert_eq!(code(""), None);
        assert_eq!(code("XX"), None);
    }
}
