use std::fmt;

use crate::FieldError;

/// A set of the UN Sustainable Development Goals, 1 to 17, as a bitmask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SdgSet(u32);

impl SdgSet {
    /// The empty set.
    pub const EMPTY: Self = Self(0);

    /// Builds a set from goal numbers.
    ///
    /// # Errors
    /// A [`FieldError`] naming `sdgs` when a number is outside 1–17.
    pub fn from_goals(goals: impl IntoIterator<Item = u32>) -> Result<Self, FieldError> {
        let mut bits = 0;
        for goal in goals {
            if !(1..=17).contains(&goal) {
                return Err(FieldError::new("sdgs", format!("{goal} is not a goal from 1 to 17")));
            }
            bits |= 1 << goal;
        }
        Ok(Self(bits))
    }

    /// Parses `"3; 5, 8"`, `"SDG 3|SDG5"`, `"ODD 13"` and the like.
    ///
    /// # Errors
    /// A [`FieldError`] naming `sdgs` for a part that is not a goal number.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let mut goals = Vec::new();
        for part in text.split([';', ',', '|', ' ']).map(str::trim).filter(|p| !p.is_empty()) {
            let digits =
                part.trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == '-' || c == '#');
            if digits.is_empty() {
                continue; // "SDG 3" splits into "SDG" and "3"
            }
            let goal = digits
                .parse::<u32>()
                .map_err(|_| FieldError::new("sdgs", format!("'{part}' is not a goal number")))?;
            goals.push(goal);
        }
        Self::from_goals(goals)
    }

    /// Rebuilds a set from its stored bitmask.
    ///
    /// # Errors
    /// A [`FieldError`] naming `sdgs` when bits outside 1–17 are set.
    pub fn from_bits(bits: u32) -> Result<Self, FieldError> {
        if bits & !0x3_fffe == 0 {
            Ok(Self(bits))
        } else {
            Err(FieldError::new("sdgs", format!("bitmask {bits:#x} has bits outside 1-17")))
        }
    }

    /// The stored bitmask (bit n set for goal n).
    pub fn bits(self) -> u32 {
        self.0
    }

    /// Whether goal `n` is in the set.
    pub fn contains(self, goal: u32) -> bool {
        goal < 32 && self.0 & (1 << goal) != 0
    }

    /// The goals in ascending order.
    pub fn goals(self) -> impl Iterator<Item = u32> {
        (1..=17).filter(move |&g| self.contains(g))
    }
}

impl fmt::Display for SdgSet {
    /// Goals joined by `;`, as in our CSV.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for goal in self.goals() {
            if !first {
                f.write_str(";")?;
            }
            write!(f, "{goal}")?;
            first = false;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::SdgSet;

    #[test]
    fn parses_the_ways_people_write_goals() {
        let set = SdgSet::parse("SDG 3; 5,ODD 13|17").unwrap();
        assert_eq!(set.goals().collect::<Vec<_>>(), [3, 5, 13, 17]);
        assert_eq!(set.to_string(), "3;5;13;17");
        assert_eq!(SdgSet::parse("").unwrap(), SdgSet::EMPTY);
        assert_eq!(SdgSet::from_bits(set.bits()).unwrap(), set);
    }

    #[test]
    fn refuses_goals_outside_1_to_17() {
        assert_eq!(SdgSet::parse("0").unwrap_err().field, "sdgs");
        assert_eq!(SdgSet::parse("18").unwrap_err().field, "sdgs");
        assert_eq!(SdgSet::parse("3;x4y").unwrap_err().field, "sdgs");
        assert!(SdgSet::from_bits(1).is_err());
    }
}
