//! Word search over names and towns: an inverted index from folded words
//! (accents and case dropped) to bitmaps of entries, matched by prefix; the
//! one meaning of a [`TextQuery`], for filters and for search alike.

use std::collections::HashMap;

use impactmap_model::CountryCode;
use roaring::RoaringBitmap;

use crate::records::Records;
use crate::text_query::words;
use crate::{Selection, TextQuery};

/// Folded words of names and towns, sorted, each with its entries.
#[derive(Debug)]
pub(crate) struct WordIndex {
    words: Vec<(Box<str>, RoaringBitmap)>,
}

impl WordIndex {
    /// Entries are visited in position order, so each word's bitmap is only
    /// appended to, and no list of every (word, entry) pair is ever held: at
    /// 1M organisations that list took 400 MB for a moment.
    pub(crate) fn build(records: &Records) -> Self {
        let mut by_word: HashMap<Box<str>, RoaringBitmap> = HashMap::new();
        for index in 0..records.len() {
            let e = records.entry(index);
            for word in words(e.name).chain(words(e.city)) {
                match by_word.get_mut(word.as_str()) {
                    // A word twice in one entry is already there, which `try_push` refuses.
                    Some(bits) => {
                        bits.try_push(index).ok();
                    }
                    None => {
                        by_word.insert(word.into_boxed_str(), std::iter::once(index).collect());
                    }
                }
            }
        }
        let mut words: Vec<(Box<str>, RoaringBitmap)> = by_word.into_iter().collect();
        words.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Self { words }
    }

    /// Entries with a word that starts with `prefix` (already folded).
    fn prefixed(&self, prefix: &str) -> RoaringBitmap {
        let start = self.words.partition_point(|(w, _)| &**w < prefix);
        let mut out = RoaringBitmap::new();
        for (_, bits) in self.words[start..].iter().take_while(|(w, _)| w.starts_with(prefix)) {
            out |= bits;
        }
        out
    }

    /// The entries a query matches: each word starts a word of the name or
    /// town, or names the country; or the whole query names the country.
    pub(crate) fn matching(
        &self,
        query: &TextQuery,
        countries: &HashMap<CountryCode, RoaringBitmap>,
    ) -> RoaringBitmap {
        let in_country = |code: Option<CountryCode>| code.and_then(|c| countries.get(&c));
        let mut found: Option<RoaringBitmap> = None;
        for (word, country) in &query.words {
            let mut bits = self.prefixed(word);
            if let Some(country) = in_country(*country) {
                bits |= country;
            }
            found = Some(match found {
                Some(f) => f & bits,
                None => bits,
            });
        }
        let mut found = found.unwrap_or_default();
        if let Some(country) = in_country(query.country) {
            found |= country;
        }
        found
    }
}

/// The selected entries of `found`, best first: whole words over prefixes,
/// names over towns and countries, then id order.
pub(crate) fn ranked(
    records: &Records,
    query: &TextQuery,
    found: &RoaringBitmap,
    selection: &Selection,
    limit: usize,
) -> Vec<u32> {
    let wanted: Vec<&str> = query.words.iter().map(|(w, _)| w.as_str()).collect();
    let mut scored: Vec<(u32, u32)> = found
        .iter()
        .filter(|&i| selection.contains(i))
        .map(|i| {
            let e = records.entry(i);
            let name: Vec<String> = words(e.name).collect();
            let city: Vec<String> = words(e.city).collect();
            let score = wanted
                .iter()
                .map(|&w| {
                    if name.iter().any(|n| n == w) {
                        4
                    } else if name.iter().any(|n| n.starts_with(w)) {
                        3
                    } else if city.iter().any(|c| c == w) {
                        2
                    } else {
                        1
                    }
                })
                .sum::<u32>()
                + u32::from(name.first().map(String::as_str) == wanted.first().copied());
            (score, i)
        })
        .collect();
    scored.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().take(limit).map(|(_, i)| i).collect()
}
