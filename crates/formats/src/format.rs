use std::fmt;
use std::str::FromStr;

use crate::FormatError;

/// A file format of the field: every one is read, and all but GoGoCarto are
/// written (`docs/formats.md` describes each, columns and detection).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Read: a spreadsheet's CSV (a name, coordinates or a town, `,` `;` or
    /// tab). Written: our CSV, every public field, lossless.
    Csv,
    /// An RFC 7946 FeatureCollection of points.
    GeoJson,
    /// ESSGlobal / DCAP-SSE standard CSV; written with our fields in extra
    /// columns so that nothing is lost.
    EssGlobal,
    /// GoGoCarto elements JSON, full or compact; read only.
    GoGoCarto,
}

impl Format {
    /// Every format, in the order messages list them.
    pub(crate) const ALL: [Self; 4] = [Self::Csv, Self::GeoJson, Self::EssGlobal, Self::GoGoCarto];

    /// The name used on the command line and in `format=` parameters.
    pub fn name(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::GeoJson => "geojson",
            Self::EssGlobal => "essglobal",
            Self::GoGoCarto => "gogocarto",
        }
    }

    /// Whether impactmap writes this format: GoGoCarto has a reader and no
    /// writer.
    pub fn is_writable(self) -> bool {
        !matches!(self, Self::GoGoCarto)
    }

    /// This format, if impactmap writes it.
    ///
    /// # Errors
    /// [`FormatError::NotWritable`] for a format that is only read.
    pub fn for_writing(self) -> Result<Self, FormatError> {
        if self.is_writable() { Ok(self) } else { Err(FormatError::NotWritable { format: self }) }
    }

    /// The media type of a file in this format.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Csv | Self::EssGlobal => "text/csv; charset=utf-8",
            Self::GeoJson => "application/geo+json",
            Self::GoGoCarto => "application/json",
        }
    }
}

/// The names of the formats `keep` lets through, as messages list them.
pub(crate) fn names(keep: impl Fn(Format) -> bool) -> String {
    Format::ALL.into_iter().filter(|&f| keep(f)).map(Format::name).collect::<Vec<_>>().join(", ")
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = FormatError;

    /// A format by its name, in any case.
    fn from_str(text: &str) -> Result<Self, FormatError> {
        Self::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(text))
            .ok_or_else(|| FormatError::UnknownFormat { name: text.to_owned() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_name_and_writes_all_but_gogocarto() {
        for format in Format::ALL {
            assert_eq!(format.name().to_uppercase().parse::<Format>().unwrap(), format);
        }
        assert_eq!(
            "xml".parse::<Format>().unwrap_err().to_string(),
            "unknown format 'xml' (csv, geojson, essglobal, gogocarto)"
        );
        assert_eq!(Format::EssGlobal.for_writing().unwrap(), Format::EssGlobal);
        assert_eq!(
            Format::GoGoCarto.for_writing().unwrap_err().to_string(),
            "gogocarto is a format impactmap reads but does not write \
             (it writes csv, geojson, essglobal)"
        );
    }
}
