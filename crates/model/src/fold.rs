use deunicode::deunicode;

/// Folds a label for lenient matching: accents, case, punctuation and spacing
/// are dropped, so `"Côte d'Ivoire"`, `"COTE D IVOIRE"` and `"cote-divoire"`
/// all become `"cotedivoire"`.
pub fn fold(text: &str) -> String {
    deunicode(text)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_accents_case_and_punctuation() {
        assert_eq!(fold("Côte d'Ivoire"), "cotedivoire");
        assert_eq!(fold("  Coopérative   AGRICOLE "), "cooperativeagricole");
        assert_eq!(fold("Banking / credit unions"), "bankingcreditunions");
        assert_eq!(fold(""), "");
    }
}
