use crate::SourcePos;

use super::column::Column;

/// One organisation as a file gave it: text cells mapped to our columns.
#[derive(Debug, Default)]
pub(crate) struct RawRecord {
    pub pos: SourcePos,
    pub id: String,
    pub source: String,
    pub source_id: String,
    pub name: String,
    pub description: String,
    /// The description is an HTML fragment (ESSGlobal), to be stripped.
    pub description_html: bool,
    /// Descriptions in other languages (OpenStreetMap's `description:de`),
    /// as (language, text): one stands in for a missing description.
    pub description_translations: Vec<(String, String)>,
    pub website: String,
    pub email: String,
    pub city: String,
    pub country: String,
    pub family: String,
    /// ESSGlobal organisational structure: the family when `family` is empty.
    pub org_structure: String,
    pub sectors: Vec<String>,
    /// ESSGlobal primary activity and activities: the sectors when `sectors` is empty.
    pub activities: Vec<String>,
    /// Labels that may be a family or a sector (GoGoCarto categories).
    pub categories: Vec<String>,
    pub sdgs: String,
    pub lat: String,
    pub lon: String,
    pub geo_lat: String,
    pub geo_lon: String,
    pub created: String,
    pub updated: String,
    pub submitted: String,
    pub sample: String,
}

impl RawRecord {
    pub fn new(pos: SourcePos) -> Self {
        Self { pos, ..Self::default() }
    }

    /// Stores one cell. Multi-valued cells split on `;` and `|` (never on
    /// `,`, which vocabulary labels contain).
    pub fn set(&mut self, column: Column, value: &str) {
        let value = value.trim();
        let many = |v: &str| {
            v.split([';', '|'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        match column {
            Column::Id => self.id = value.to_owned(),
            Column::Source => self.source = value.to_owned(),
            Column::SourceId => self.source_id = value.to_owned(),
            Column::Name => self.name = value.to_owned(),
            Column::Description => self.description = value.to_owned(),
            Column::Website => self.website = value.to_owned(),
            Column::Email => self.email = value.to_owned(),
            Column::City => self.city = value.to_owned(),
            Column::Country => self.country = value.to_owned(),
            Column::Family => self.family = value.to_owned(),
            Column::OrgStructure => self.org_structure = value.to_owned(),
            Column::Sectors => self.sectors.extend(many(value)),
            Column::Activities => self.activities.extend(many(value)),
            Column::Categories => self.categories.extend(many(value)),
            Column::Sdgs => self.sdgs = value.to_owned(),
            Column::Lat => self.lat = value.to_owned(),
            Column::Lon => self.lon = value.to_owned(),
            Column::GeoLat => self.geo_lat = value.to_owned(),
            Column::GeoLon => self.geo_lon = value.to_owned(),
            Column::Created => self.created = value.to_owned(),
            Column::Updated => self.updated = value.to_owned(),
            Column::Submitted => self.submitted = value.to_owned(),
            Column::Sample => self.sample = value.to_owned(),
            Column::Derived => {}
        }
    }
}

/// What a reader learnt about the file as a whole.
#[derive(Debug, Default)]
pub(crate) struct FileNotes {
    /// Columns present in the file, so the pipeline can say once what is missing.
    pub columns: Vec<Column>,
    /// Headers or keys we do not use, each with a few of its values.
    pub unused: Vec<Unused>,
    /// Headers or keys the source's mapping leaves out.
    pub left_out: Vec<String>,
    /// File-level warnings (encoding, ragged rows...).
    pub warnings: Vec<(SourcePos, String)>,
    /// Records the source marks as unpublished (GoGoCarto status < 1), not imported.
    pub unpublished: usize,
    /// Coordinates use a decimal comma (`;`-separated CSV).
    pub decimal_comma: bool,
    /// Keys of descriptions in other languages (`description:de`), not kept
    /// but where a record has no description of its own.
    pub translations: Vec<String>,
}

/// A header or key we do not use, and the first few values it holds, so
/// that the report shows what was left and what it might be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unused {
    pub name: String,
    pub examples: Vec<String>,
}

/// Values shown per unused column, and the characters shown of each.
const EXAMPLES: usize = 3;
const EXAMPLE_CHARS: usize = 40;

impl FileNotes {
    pub fn has(&self, column: Column) -> bool {
        self.columns.contains(&column)
    }

    /// Notes a column we do not use, and `value` as one of its examples:
    /// the first three distinct ones, cut short.
    pub fn note_unused(&mut self, name: &str, value: &str) {
        let index = match self.unused.iter().position(|u| u.name == name) {
            Some(index) => index,
            None => {
                self.unused.push(Unused { name: name.to_owned(), examples: Vec::new() });
                self.unused.len() - 1
            }
        };
        let examples = &mut self.unused[index].examples;
        // Checked before any allocation: a million rows pass here.
        if examples.len() >= EXAMPLES || value.trim().is_empty() {
            return;
        }
        let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut example: String = value.chars().take(EXAMPLE_CHARS).collect();
        if example.len() < value.len() {
            example.push('…');
        }
        if !examples.contains(&example) {
            examples.push(example);
        }
    }

    /// The names of the columns we do not use.
    #[cfg(test)]
    pub fn unused_names(&self) -> Vec<&str> {
        self.unused.iter().map(|u| u.name.as_str()).collect()
    }
}

impl RawRecord {
    /// Stores a JSON value as a cell: arrays become `;`-separated lists,
    /// numbers keep their text, objects and null are empty.
    pub fn set_json(&mut self, column: Column, value: &serde_json::Value) {
        self.set(column, &json_cell(value));
    }
}

/// A JSON value as a cell's text: arrays joined by `;`, objects and null empty.
pub(crate) fn json_cell(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Array(items) => {
            items.iter().map(json_cell).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(";")
        }
        Value::Null | Value::Object(_) => String::new(),
    }
}
