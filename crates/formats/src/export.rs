use std::fmt;
use std::io::Write;

use serde_json::json;

use impactmap_model::{Facet, Organisation, Reference, TermKey};

use crate::{Format, FormatError};

const ESSGLOBAL_BASE: &str = "https://dev.lod.coop/essglobal/2.1/standard";

const CSV_HEADER: [&str; 18] = [
    "id",
    "name",
    "description",
    "website",
    "country",
    "city",
    "continent",
    "family",
    "sectors",
    "sdgs",
    "lon",
    "lat",
    "source",
    "source_id",
    "created",
    "updated",
    "submitted",
    "sample",
];

const ESSGLOBAL_HEADER: [&str; 35] = [
    "Identifier",
    "Name",
    "Description",
    "Organisational Structure",
    "Primary Activity",
    "Activities",
    "Street Address",
    "Locality",
    "Region",
    "Postcode",
    "Country ID",
    "Territory ID",
    "Website",
    "Phone",
    "Email",
    "Twitter",
    "Facebook",
    "Companies House Number",
    "Qualifiers",
    "Membership Type",
    "Latitude",
    "Longitude",
    "Geo Container",
    "Geo Container Confidence",
    "Geo Container Latitude",
    "Geo Container Longitude",
    "Geocoded Address",
    "Family",
    "Sectors",
    "SDGs",
    "Source",
    "Source ID",
    "Created",
    "Updated",
    "Sample",
];

/// Writes organisations one at a time, so an export of any size streams.
/// E-mail addresses are never written.
pub struct Exporter<'r, W: Write> {
    reference: &'r Reference,
    sink: Sink<W>,
    written: usize,
}

enum Sink<W: Write> {
    Csv(csv::Writer<W>),
    EssGlobal(csv::Writer<W>),
    GeoJson(W),
}

impl<W: Write> fmt::Debug for Exporter<'_, W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Exporter").field("written", &self.written).finish_non_exhaustive()
    }
}

impl<'r, W: Write> Exporter<'r, W> {
    /// Starts an export: writes the header or the collection's opening.
    ///
    /// # Errors
    /// [`FormatError::NotWritable`] for a format that is only read;
    /// [`FormatError::Export`] when the writer fails.
    pub fn new(format: Format, reference: &'r Reference, mut out: W) -> Result<Self, FormatError> {
        let csv = |out: W, header: &[&str]| -> Result<csv::Writer<W>, FormatError> {
            let mut writer =
                csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out);
            writer.write_record(header).map_err(csv_io)?;
            Ok(writer)
        };
        let sink = match format {
            Format::GeoJson => {
                out.write_all(br#"{"type":"FeatureCollection","features":["#)?;
                Sink::GeoJson(out)
            }
            Format::Csv => Sink::Csv(csv(out, &CSV_HEADER)?),
            Format::EssGlobal => Sink::EssGlobal(csv(out, &ESSGLOBAL_HEADER)?),
            Format::GoGoCarto => return Err(FormatError::NotWritable { format }),
        };
        Ok(Self { reference, sink, written: 0 })
    }

    /// Writes one organisation.
    ///
    /// # Errors
    /// [`FormatError::Export`] when the writer fails.
    pub fn write(&mut self, org: &Organisation) -> Result<(), FormatError> {
        match &mut self.sink {
            Sink::GeoJson(out) => {
                out.write_all(if self.written > 0 { &b",\n"[..] } else { b"\n" })?;
                serde_json::to_writer(&mut *out, &feature(org)).map_err(std::io::Error::from)?;
            }
            Sink::Csv(writer) => writer.write_record(csv_row(org)).map_err(csv_io)?,
            Sink::EssGlobal(writer) => {
                writer.write_record(essglobal_row(org, self.reference)).map_err(csv_io)?;
            }
        }
        self.written += 1;
        Ok(())
    }

    /// Ends the export; hands back the writer and how many were written.
    ///
    /// # Errors
    /// [`FormatError::Export`] when the writer fails.
    pub fn finish(self) -> Result<(W, usize), FormatError> {
        let out = match self.sink {
            Sink::Csv(writer) | Sink::EssGlobal(writer) => {
                writer.into_inner().map_err(|e| FormatError::Export(e.into_error()))?
            }
            Sink::GeoJson(mut out) => {
                out.write_all(b"\n]}\n")?;
                out
            }
        };
        Ok((out, self.written))
    }
}

fn csv_io(error: csv::Error) -> FormatError {
    FormatError::Export(std::io::Error::other(error))
}

/// A text cell that a spreadsheet would run as a formula is prefixed with `'`.
fn guard(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

fn sectors(org: &Organisation) -> String {
    org.sectors.iter().map(TermKey::as_str).collect::<Vec<_>>().join(";")
}

fn csv_row(org: &Organisation) -> Vec<String> {
    vec![
        org.id.to_string(),
        guard(&org.name),
        guard(&org.description),
        guard(org.website.as_deref().unwrap_or("")),
        org.country.to_string(),
        guard(&org.city),
        org.continent.to_string(),
        org.family.to_string(),
        sectors(org),
        org.sdgs.to_string(),
        org.location.lon().to_string(),
        org.location.lat().to_string(),
        guard(&org.provenance.source),
        guard(&org.provenance.source_id),
        org.created.to_string(),
        org.updated.to_string(),
        org.submitted.map(|t| t.to_string()).unwrap_or_default(),
        org.sample.to_string(),
    ]
}

fn essglobal_uri(scheme: &str, code: Option<&String>) -> String {
    code.map(|c| format!("{ESSGLOBAL_BASE}/{scheme}/{c}")).unwrap_or_default()
}

fn essglobal_row(org: &Organisation, reference: &Reference) -> Vec<String> {
    let taxonomy = &reference.taxonomy;
    let family_code = taxonomy
        .term(Facet::Family, org.family.as_str())
        .and_then(|t| t.codes.iter().find(|c| c.starts_with("OS")));
    let activity_codes: Vec<&String> = org
        .sectors
        .iter()
        .filter_map(|s| taxonomy.term(Facet::Sector, s.as_str()))
        .filter_map(|t| t.codes.iter().find(|c| c.starts_with("AM")))
        .collect();
    let activities = activity_codes
        .iter()
        .skip(1)
        .map(|c| essglobal_uri("activities-modified", Some(c)))
        .collect::<Vec<_>>()
        .join(";");
    let description = html_escape::encode_text(&org.description).replace('\n', "<br>");
    let mut row = vec![String::new(); ESSGLOBAL_HEADER.len()];
    let mut set = |header: &str, value: String| {
        let index = ESSGLOBAL_HEADER
            .iter()
            .position(|h| *h == header)
            .unwrap_or_else(|| unreachable!("{header} is in ESSGLOBAL_HEADER"));
        row[index] = value;
    };
    set("Identifier", org.id.to_string());
    set("Name", guard(&org.name));
    set("Description", guard(&description));
    set("Organisational Structure", essglobal_uri("organisational-structure", family_code));
    set("Primary Activity", essglobal_uri("activities-modified", activity_codes.first().copied()));
    set("Activities", activities);
    set("Locality", guard(&org.city));
    set("Country ID", org.country.to_string());
    set("Website", guard(org.website.as_deref().unwrap_or("")));
    set("Latitude", org.location.lat().to_string());
    set("Longitude", org.location.lon().to_string());
    set("Family", org.family.to_string());
    set("Sectors", sectors(org));
    set("SDGs", org.sdgs.to_string());
    set("Source", guard(&org.provenance.source));
    set("Source ID", guard(&org.provenance.source_id));
    set("Created", org.created.to_string());
    set("Updated", org.updated.to_string());
    set("Sample", org.sample.to_string());
    row
}

/// The public GeoJSON Feature of an organisation (no e-mail).
pub fn feature(org: &Organisation) -> serde_json::Value {
    json!({
        "type": "Feature",
        "id": org.id.as_str(),
        "geometry": {"type": "Point", "coordinates": [org.location.lon(), org.location.lat()]},
        "properties": {
            "name": org.name,
            "description": org.description,
            "website": org.website,
            "country": org.country.as_str(),
            "city": org.city,
            "continent": org.continent.as_str(),
            "family": org.family.as_str(),
            "sectors": org.sectors.iter().map(TermKey::as_str).collect::<Vec<_>>(),
            "sdgs": org.sdgs.goals().collect::<Vec<_>>(),
            "source": org.provenance.source,
            "source_id": org.provenance.source_id,
            "created": org.created.to_string(),
            "updated": org.updated.to_string(),
            "submitted": org.submitted.map(|t| t.to_string()),
            "sample": org.sample,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exporter and `Format::is_writable` agree, and a format that is
    /// only read is refused before a byte is written.
    #[test]
    fn refuses_exactly_the_formats_that_are_only_read() {
        let reference = crate::embedded_reference();
        for format in Format::ALL {
            let mut out = Vec::new();
            let written = Exporter::new(format, &reference, &mut out)
                .and_then(Exporter::finish)
                .map(|(_, written)| written);
            match written {
                Ok(written) => {
                    assert!(format.is_writable(), "{format}");
                    assert_eq!(written, 0);
                    assert!(!out.is_empty(), "{format}: no header or opening");
                }
                Err(e) => {
                    assert!(!format.is_writable(), "{format}: {e}");
                    assert!(matches!(e, FormatError::NotWritable { format: f } if f == format));
                    assert!(out.is_empty(), "{format}");
                }
            }
        }
    }
}
