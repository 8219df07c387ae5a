//! A source's own mapping, for the files the readers cannot read by
//! themselves and for a source imported again and again: which of its
//! columns is which of our fields (`--map COLUMN=field`), and which of its
//! labels is which family or sector (`--mapping FILE.toml`).

use std::collections::HashMap;

use impactmap_model::{Facet, Reference, fold};
use serde::Deserialize;

use crate::reader::Column;
use crate::{FormatError, SourcePos};

/// Our fields a column may be mapped to, and `ignore`.
const FIELDS: [(&str, Option<Column>); 19] = [
    ("id", Some(Column::Id)),
    ("source", Some(Column::Source)),
    ("source_id", Some(Column::SourceId)),
    ("name", Some(Column::Name)),
    ("description", Some(Column::Description)),
    ("website", Some(Column::Website)),
    ("email", Some(Column::Email)),
    ("city", Some(Column::City)),
    ("country", Some(Column::Country)),
    ("family", Some(Column::Family)),
    ("sectors", Some(Column::Sectors)),
    ("categories", Some(Column::Categories)),
    ("sdgs", Some(Column::Sdgs)),
    ("lat", Some(Column::Lat)),
    ("lon", Some(Column::Lon)),
    ("created", Some(Column::Created)),
    ("updated", Some(Column::Updated)),
    ("submitted", Some(Column::Submitted)),
    ("ignore", None),
];

/// Columns and labels of one source mapped to ours; empty by default.
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    /// Folded header → the header as written and our column, or `None` for
    /// a column to leave out.
    columns: HashMap<String, (String, Option<Column>)>,
    /// Folded label → family key.
    families: HashMap<String, String>,
    /// Folded label → sector key.
    sectors: HashMap<String, String>,
}

/// A mapping file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    #[serde(default)]
    columns: HashMap<String, String>,
    #[serde(default)]
    families: HashMap<String, String>,
    #[serde(default)]
    sectors: HashMap<String, String>,
}

impl Mapping {
    /// Maps a column, as `--map` gives it: `COLUMN=field`.
    ///
    /// # Errors
    /// [`FormatError::Mapping`] naming the text when it is not `COLUMN=field`
    /// or the field is not one of ours.
    pub fn add_column(&mut self, spec: &str) -> Result<(), FormatError> {
        let (header, field) = spec.rsplit_once('=').ok_or_else(|| FormatError::Mapping {
            file: "--map".into(),
            message: format!("'{spec}' is not COLUMN=field"),
        })?;
        self.insert_column("--map", header, field)
    }

    /// Reads a mapping file: a `[columns]` table of column = field, and
    /// `[families]` and `[sectors]` tables of the source's label = our key.
    ///
    /// # Errors
    /// [`FormatError::Mapping`] naming the file and what is wrong: TOML that
    /// does not parse, an unknown table, field or key.
    pub fn add_file(
        &mut self,
        file: &str,
        text: &str,
        reference: &Reference,
    ) -> Result<(), FormatError> {
        let bad = |message: String| FormatError::Mapping { file: file.to_owned(), message };
        let parsed: MappingFile = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |span| text[..span.start].matches('\n').count() + 1);
            FormatError::Mapping { file: format!("{file}:{line}"), message: e.message().to_owned() }
        })?;
        for (header, field) in &parsed.columns {
            self.insert_column(file, header, field)?;
        }
        for (facet, table, labels) in [
            (Facet::Family, "families", parsed.families),
            (Facet::Sector, "sectors", parsed.sectors),
        ] {
            for (label, key) in labels {
                let term = reference.taxonomy.key(facet, &key).map_err(|_| {
                    bad(format!("[{table}] '{label}': '{key}' is not a {} key", facet.field()))
                })?;
                let map =
                    if facet == Facet::Family { &mut self.families } else { &mut self.sectors };
                map.insert(fold(&label), term.to_string());
            }
        }
        Ok(())
    }

    fn insert_column(&mut self, file: &str, header: &str, field: &str) -> Result<(), FormatError> {
        let field = field.trim();
        let column =
            FIELDS.iter().find(|(name, _)| *name == field).map(|(_, c)| *c).ok_or_else(|| {
                let known: Vec<&str> = FIELDS.iter().map(|(name, _)| *name).collect();
                FormatError::Mapping {
                    file: file.to_owned(),
                    message: format!("'{header}': '{field}' is not a field ({})", known.join(", ")),
                }
            })?;
        self.columns.insert(fold(header), (header.to_owned(), column));
        Ok(())
    }

    /// The column of a header: the mapping's (none for a column it leaves
    /// out), else what `otherwise` reads it as.
    pub(crate) fn column(
        &self,
        header: &str,
        otherwise: impl FnOnce(&str) -> Option<Column>,
    ) -> Option<Column> {
        if self.columns.is_empty() {
            return otherwise(header);
        }
        match self.columns.get(&fold(header)) {
            Some((_, column)) => *column,
            None => otherwise(header),
        }
    }

    /// The key of a source's label for a facet, when the mapping names it.
    pub(crate) fn term(&self, facet: Facet, label: &str) -> Option<&str> {
        let map = if facet == Facet::Family { &self.families } else { &self.sectors };
        // Most imports have no mapping: no label is folded for nothing.
        if map.is_empty() {
            return None;
        }
        map.get(&fold(label)).map(String::as_str)
    }

    /// Whether the mapping leaves this column out.
    pub(crate) fn leaves_out(&self, header: &str) -> bool {
        !self.columns.is_empty() && matches!(self.columns.get(&fold(header)), Some((_, None)))
    }

    /// Whether it maps nothing.
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty() && self.families.is_empty() && self.sectors.is_empty()
    }

    /// Headers the mapping names that a file does not have, for the report.
    pub(crate) fn missing(&self, headers: &[String]) -> Vec<(SourcePos, String)> {
        let present: Vec<String> = headers.iter().map(|h| fold(h)).collect();
        let mut missing: Vec<&str> = self
            .columns
            .iter()
            .filter(|(folded, _)| !present.contains(folded))
            .map(|(_, (header, _))| header.as_str())
            .collect();
        missing.sort_unstable();
        missing
            .into_iter()
            .map(|h| {
                (
                    SourcePos::File,
                    format!("the mapping names a column '{h}' the file does not have"),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::Mapping;
    use crate::reader::Column;

    fn reference() -> impactmap_model::Reference {
        crate::embedded_reference()
    }

    /// `--map` takes `COLUMN=field` (the column may hold `=`), and says what
    /// it refuses.
    #[test]
    fn columns_map_to_our_fields_or_are_refused_by_name() {
        let mut m = Mapping::default();
        m.add_column("Nom de la structure=name").unwrap();
        m.add_column("a=b=ignore").unwrap();
        assert_eq!(m.column("NOM DE LA STRUCTURE", |_| None), Some(Column::Name));
        assert_eq!(m.column("a=b", |_| Some(Column::City)), None, "left out");
        assert_eq!(m.column("Ville", |_| Some(Column::City)), Some(Column::City), "not mapped");
        let err = |spec: &str| Mapping::default().add_column(spec).unwrap_err().to_string();
        assert_eq!(err("Nom"), "--map: 'Nom' is not COLUMN=field");
        assert!(err("Nom=nom").starts_with("--map: 'Nom': 'nom' is not a field (id, source,"));
    }

    /// A mapping file's columns and labels are read; an unknown table,
    /// field or key is refused naming the file and the entry.
    #[test]
    fn a_mapping_file_maps_columns_and_labels() {
        let mut m = Mapping::default();
        let text = "[columns]\n\"Raison sociale\" = \"name\"\n\
                    [families]\nSCOP = \"cooperative\"\n\
                    [sectors]\n\"Économie circulaire\" = \"circular-economy\"\n";
        m.add_file("m.toml", text, &reference()).unwrap();
        assert_eq!(m.column("raison sociale", |_| None), Some(Column::Name));
        assert_eq!(m.term(impactmap_model::Facet::Family, "scop"), Some("cooperative"));
        assert_eq!(
            m.term(impactmap_model::Facet::Sector, "economie circulaire"),
            Some("circular-economy")
        );
        let err = |text: &str| {
            Mapping::default().add_file("m.toml", text, &reference()).unwrap_err().to_string()
        };
        assert_eq!(
            err("[families]\nSCOP = \"cooperativ\"\n"),
            "m.toml: [families] 'SCOP': 'cooperativ' is not a family key"
        );
        assert!(err("[columns]\nX = \"town\"\n").starts_with("m.toml: 'X': 'town' is not a field"));
        assert!(err("[colums]\nX = \"name\"\n").starts_with("m.toml:1: unknown field `colums`"));
        assert!(err("[columns]\nRégion = \"ignore\"\n").starts_with("m.toml:2: "));
    }
}
