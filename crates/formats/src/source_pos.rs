use std::fmt;

/// A place in a source file: where an issue or a broken file is. Shown
/// after the file's name (`members.csv:12`, `map.geojson: feature 3`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SourcePos {
    /// The file as a whole.
    #[default]
    File,
    /// A line of a text file (1-based; a CSV record's first line).
    Line(u64),
    /// A feature or element of a JSON file (1-based).
    Feature(usize),
}

impl fmt::Display for SourcePos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File => Ok(()),
            Self::Line(line) => write!(f, ":{line}"),
            Self::Feature(n) => write!(f, ": feature {n}"),
        }
    }
}
