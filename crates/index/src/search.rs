//! Word search over names and towns: an inverted index from folded words
//! (accents and case dropped) to bitmaps of entries, matched by prefix.

use std::collections::HashMap;

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
    /// Entries are visited in position order, so each word's bitmap is only
    /// appended to, and no list of every (word, entry) pair is ever held: at
    /// 1M organisations that list took 400 MB for a moment.
    pub(crate) fn build(atlas: &Atlas) -> Self {
        let mut by_word: HashMap<Box<str>, RoaringBitmap> = HashMap::new();
        for index in 0..u32::try_from(atlas.len()).unwrap_or(u32::MAX) {
            let e = atlas.entry(index);
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
    pub(crate) fn prefixed(&self, prefix: &str) -> RoaringBitmap {
        let start = self.words.partition_point(|(w, _)| &**w < prefix);
        let mut out = RoaringBitmap::new();
        for (_, bits) in self.words[start..].iter().take_while(|(w, _)| w.starts_with(prefix)) {
            out |= bits;
        }
        out
    }
}
