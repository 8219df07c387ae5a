//! Where a record is: its coordinates, else its town's, and its country —
//! the stated one kept, a point outside it flagged, a missing one found
//! from the point. Part of [`Resolver`].

use impactmap_model::{FieldError, LonLat, Placement};

use crate::import::Issue;
use crate::reader::{Column, RawRecord};
use crate::resolve::Resolver;

/// How far from the nearest town, else off the nearest coast (in degrees,
/// about 55 km), a point without a country may lie and still take that
/// country, with a warning: 1:50m outlines miss small islands, and geocoders
/// and jittered data put harbour towns' points in the water.
const OFFSHORE_DEG: f64 = 0.5;

impl Resolver<'_> {
    /// The position: the row's own, else ESSGlobal's geocoded one, else the
    /// centre of its town. `0,0` counts as no position.
    pub(crate) fn location(
        &self,
        record: &RawRecord,
        issues: &mut Vec<Issue>,
    ) -> Result<LonLat, (&'static str, String)> {
        let comma = self.notes.decimal_comma;
        let given = |lon: &str, lat: &str| {
            (!lon.trim().is_empty() || !lat.trim().is_empty())
                .then(|| LonLat::parse(lon, lat, comma))
        };
        let zero = |e: &FieldError| e.reason.starts_with("0,0");
        let mut last_error = None;
        for (lon, lat) in [(&record.lon, &record.lat), (&record.geo_lon, &record.geo_lat)] {
            match given(lon, lat) {
                Some(Ok(at)) => return Ok(at),
                Some(Err(e)) if zero(&e) => {}
                Some(Err(e)) => {
                    last_error.get_or_insert(e);
                }
                None => {}
            }
        }
        if let Some(e) = last_error {
            return Err((e.field, e.reason));
        }
        let country = self
            .reference
            .countries
            .find(&record.country)
            .map(|c| c.code.to_string())
            .unwrap_or_default();
        match self.reference.gazetteer.town(&country, &record.city) {
            Some(town) if !record.city.trim().is_empty() => {
                issues.push(Issue::warn(
                    record.pos,
                    "lat",
                    format!(
                        "no coordinates; placed at the centre of {} ({})",
                        town.name, town.country
                    ),
                ));
                Ok(town.location)
            }
            _ => {
                let city = record.city.trim();
                let why = match (country.is_empty(), city.is_empty()) {
                    (_, true) => "and no town to place it at".to_owned(),
                    (true, false) if record.country.trim().is_empty() => {
                        format!("and no country to find the town '{city}' in")
                    }
                    (true, false) => {
                        format!("and the country '{}' is not known", record.country.trim())
                    }
                    (false, false) => format!("and '{city}' is not a town of {country} we know"),
                };
                Err(("lat", format!("no coordinates, {why}")))
            }
        }
    }

    /// The country: as given (leniently matched), else from the coordinates.
    /// A point outside its stated country is flagged, not refused.
    pub(crate) fn country(
        &self,
        record: &RawRecord,
        at: LonLat,
        issues: &mut Vec<Issue>,
    ) -> Result<String, (&'static str, String)> {
        let row = record.pos;
        let boundaries = &self.reference.boundaries;
        let gazetteer = &self.reference.gazetteer;
        let given = record.country.trim();
        let found = (!given.is_empty()).then(|| self.reference.countries.find(given)).flatten();
        let Some(country) = found else {
            let derived = if let Some(code) = boundaries.country_at(at) {
                code
            } else if let Some((town, distance_deg)) = gazetteer.nearest(at, OFFSHORE_DEG) {
                issues.push(Issue::warn(
                    row,
                    "lat",
                    format!(
                        "the point {},{} lies in no drawn country; \
                         {} taken from the nearest town, {} ({:.0} km)",
                        at.lon(),
                        at.lat(),
                        town.country,
                        town.name,
                        distance_deg * 111.0
                    ),
                ));
                town.country
            } else if let Some((code, distance_deg)) = boundaries.nearest_country(at, OFFSHORE_DEG)
            {
                issues.push(Issue::warn(
                    row,
                    "lat",
                    format!(
                        "the point {},{} lies at sea, about {:.0} km off {code}; \
                         {code} taken as its country",
                        at.lon(),
                        at.lat(),
                        distance_deg * 111.0
                    ),
                ));
                code
            } else {
                return Err((
                    "country",
                    format!(
                        "{} and the point {},{} lies in no country",
                        if given.is_empty() {
                            "missing".to_owned()
                        } else {
                            format!("'{given}' is not a known country")
                        },
                        at.lon(),
                        at.lat()
                    ),
                ));
            };
            if !given.is_empty() {
                issues.push(Issue::warn(
                    row,
                    "country",
                    format!(
                        "'{given}' is not a known country; {derived} taken from the coordinates"
                    ),
                ));
            } else if self.notes.has(Column::Country) {
                issues.push(Issue::warn(
                    row,
                    "country",
                    format!("missing; {derived} taken from the coordinates"),
                ));
            }
            return Ok(derived.to_string());
        };
        if let Placement::Outside { distance_deg } = boundaries.placement(country.code, at) {
            let swapped = LonLat::new(at.lat(), at.lon())
                .ok()
                .is_some_and(|s| boundaries.placement(country.code, s) == Placement::Inside);
            let message = if swapped {
                format!(
                    "the point {},{} lies outside {}; \
                     swapped it would be inside: are lat and lon swapped?",
                    at.lon(),
                    at.lat(),
                    country.code
                )
            } else if let Some(other) = boundaries.country_at(at) {
                format!(
                    "the point {},{} lies in {other}, not in {}",
                    at.lon(),
                    at.lat(),
                    country.code
                )
            } else {
                format!(
                    "the point {},{} lies at sea, about {:.0} km from {}",
                    at.lon(),
                    at.lat(),
                    distance_deg * 111.0,
                    country.code
                )
            };
            issues.push(Issue::warn(row, "lat", message));
        }
        Ok(country.code.to_string())
    }
}
