//! What `q` asks: words, each matched as the start of a word of a name or
//! town, or as the name of a country. One meaning for the filter of the
//! map and the list and for the search.

use impactmap_model::{CountryCode, fold};

/// The folded words of a text.
pub(crate) fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| {
        c.is_whitespace() || c == '-' || c == '\'' || c == '’' || c == '/' || c == ','
    })
    .map(fold)
    .filter(|w| !w.is_empty())
}

/// Words to find, folded (accents, case and punctuation dropped): an entry
/// matches when each word starts a word of its name or town or names its
/// country, or when the whole text names its country ("Afrique du Sud").
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TextQuery {
    /// Each folded word and the country it names, if any.
    pub(crate) words: Vec<(String, Option<CountryCode>)>,
    /// The country the whole text names, if any.
    pub(crate) country: Option<CountryCode>,
}

impl TextQuery {
    /// The words of `text`; `country_of` says which country a word, or the
    /// whole text, names (the index knows no country names).
    pub fn new(text: &str, country_of: impl Fn(&str) -> Option<CountryCode>) -> Self {
        let words: Vec<(String, Option<CountryCode>)> =
            words(text).map(|w| (w.clone(), country_of(&w))).collect();
        let country = if words.is_empty() { None } else { country_of(text.trim()) };
        Self { words, country }
    }

    /// Whether there is no word to find.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}
