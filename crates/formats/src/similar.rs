use deunicode::deunicode;

/// Words that say what kind of body an organisation is, not which one: two
/// names sharing only these are not alike.
const GENERIC: &[&str] = &[
    "association",
    "asociacion",
    "cooperative",
    "cooperativa",
    "coop",
    "foundation",
    "fondation",
    "fundacion",
    "network",
    "reseau",
    "red",
    "society",
    "societe",
    "sociedad",
    "union",
    "mutual",
    "mutuelle",
    "mutua",
    "group",
    "groupe",
    "grupo",
    "the",
    "and",
    "des",
    "del",
    "los",
    "las",
    "for",
    "pour",
    "para",
    "sample",
];

/// Whether two organisation names likely name the same organisation: close
/// spellings ("Coopérative Solidaire" / "Cooperative Solidare"), or the same
/// distinctive words in another order or with words added ("Banque
/// Alimentaire de Lyon" / "Lyon Banque Alimentaire"). Accents, case and
/// punctuation are ignored.
pub fn similar_names(a: &str, b: &str) -> bool {
    let (wa, wb) = (words(a), words(b));
    let (ja, jb) = (wa.join(" "), wb.join(" "));
    if ja.is_empty() || jb.is_empty() {
        return false;
    }
    if strsim::normalized_levenshtein(&ja, &jb) >= 0.75 {
        return true;
    }
    let distinctive = |w: &&String| w.len() > 2 && !GENERIC.contains(&w.as_str());
    let (da, db): (Vec<&String>, Vec<&String>) =
        (wa.iter().filter(distinctive).collect(), wb.iter().filter(distinctive).collect());
    let shared = da.iter().filter(|w| db.contains(w)).count();
    let fewer = da.len().min(db.len());
    // All the distinctive words of the shorter name, and at least two of them
    // unless that name has only one.
    fewer > 0 && shared == fewer && (shared >= 2 || da.len() == db.len())
}

fn words(name: &str) -> Vec<String> {
    let folded = deunicode(name).to_ascii_lowercase();
    let mut words: Vec<String> = folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    words.dedup();
    words
}

#[cfg(test)]
mod tests {
    use super::similar_names;

    /// RELIABILITY A16.
    #[test]
    fn the_same_organisation_spelled_otherwise_is_similar() {
        for (a, b) in [
            ("Coopérative Solidaire", "Cooperative Solidare"),
            ("Banque Alimentaire de Lyon", "Lyon Banque Alimentaire"),
            ("Green Energy Coop", "GREEN ENERGY COOP."),
            ("Fundación Pueblo Vivo", "Fundacion Pueblo Vivo Bolivia"),
            ("Women's Credit Union Nairobi", "Womens Credit Union Nairobi"),
            ("Mutuelle Santé Thiès", "Mutuelle de Santé de Thiès"),
        ] {
            assert!(similar_names(a, b), "{a} / {b}");
        }
    }

    /// RELIABILITY A16.
    #[test]
    fn different_organisations_sharing_generic_words_are_not() {
        for (a, b) in [
            ("Association Femmes Solidaires", "Association Jeunes Entrepreneurs"),
            ("Green Energy Coop", "Blue Water Coop"),
            ("Cooperative Agricole du Nord", "Cooperative Textile du Sud"),
            ("Fondation Lumière", "Fondation Espoir"),
            ("", "Anything"),
        ] {
            assert!(!similar_names(a, b), "{a} / {b}");
        }
    }

    proptest::proptest! {
        /// RELIABILITY P8: the detector is symmetric, and a name with
        /// letters is always similar to itself and to its shouting twin.
        #[test]
        fn similarity_is_symmetric_and_reflexive(
            a in "[A-Za-zé' -]{0,30}",
            b in "[A-Za-zé' -]{0,30}",
        ) {
            proptest::prop_assert_eq!(similar_names(&a, &b), similar_names(&b, &a));
            if a.chars().any(char::is_alphabetic) {
                proptest::prop_assert!(similar_names(&a, &a));
                proptest::prop_assert!(similar_names(&a, &a.to_uppercase()));
            }
        }
    }
}
