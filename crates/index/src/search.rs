//! Word search over names and towns: an inverted index from folded words
//! (accents and case dropped) to bitmaps of entries, matched by prefix.

use impactmap_model::fold;
use roaring::RoaringBitmap;

use crate::Atlas;

/// Folded words of names and towns, sorted, each with its entries.
#[derive(Debug)]
pub(crate) struct WordIndex {
    words: Vec<(Box<str>, RoaringBitmap)>,
}

/// The folded words of a text.
pub(crate) fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| c.is_whitespace() || c == '-' || c == '\'' || c == '’' || c == '/' || c == ',').map(fold).filter(|w| !w.is_empty())
}

impl WordIndex {
    pub(crate) fn build(atlas: &Atlas) -> Self {
        let mut pairs: Vec<(String, u32)> = Vec::with_capacity(atlas.len() * 6);
        for index in 0..u32::try_from(atlas.len()).unwrap_or(u32::MAX) {
            let e = atlas.entry(index);
            pairs.extend(words(e.name).chain(words(e.city)).map(|w| (w, index)));
        }
        pairs.sort_unstable();
        pairs.dedup();
        let mut words: Vec<(Box<str>, RoaringBitmap)> = Vec::new();
        for (word, index) in pairs {
            match words.last_mut() {
                Some((last, bits)) if **last == *word => {
                    bits.insert(index);
                }
                _ => words.push((word.into_boxed_str(), std::iter::once(index).collect())),
            }
        }
        Self { words }
    }

    /// Entries with a word that starts with `prefix` (already folded).
    pub(crate) fn prefixed(&self, prefix: &str) -> RoaringBitmap {
        let start = self.words.partition_point(|(w, _)| &**w < prefix);
        let mut out = RoaringBitmap::new();
        for (_, bits) in self.words[start..].iter().take_while(|(w, _)| w.starts_with(prefix)) {
            out |= bits;
        }
        out
    }
}
