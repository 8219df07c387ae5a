//! Filters as query parameters, shared by tiles and the API:
//! `continent`, `sector`, `family`, `sdg`, `country` (comma-separated or
//! repeated; OR within a parameter, AND across them) and `q` (words).

use impactmap_index::{Filter, TextQuery};
use impactmap_model::{CountryCode, Facet, Reference};

use crate::ApiError;

/// Longest query string read; longer ones are refused, not truncated.
const MAX_QUERY: usize = 2048;

/// The filter parameters of a query string, and the other parameters
/// (name, value) for the handler to read or refuse.
///
/// # Errors
/// [`ApiError::BadRequest`] naming the parameter whose value is unknown, or
/// the query when too long.
pub(crate) fn parse(
    reference: &Reference,
    query: Option<&str>,
    allowed: &[&str],
) -> Result<(Filter, Vec<(String, String)>), ApiError> {
    let query = query.unwrap_or("");
    if query.len() > MAX_QUERY {
        return Err(ApiError::bad("query", format!("{} bytes; at most {MAX_QUERY}", query.len())));
    }
    let mut filter = Filter::default();
    let mut rest = Vec::new();
    // Percent-decoded, `+` as space, bytes that are not UTF-8 replaced: as
    // every other query parameter is read.
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        let values = || value.split(',').map(str::trim).filter(|v| !v.is_empty());
        match name.as_ref() {
            "continent" => {
                filter.continents.extend(terms(
                    reference,
                    Facet::Continent,
                    "continent",
                    values(),
                )?);
            }
            "sector" => filter.sectors.extend(terms(reference, Facet::Sector, "sector", values())?),
            "family" => {
                filter.families.extend(terms(reference, Facet::Family, "family", values())?);
            }
            "sdg" => {
                for v in values() {
                    let goal = v.parse::<u32>().ok().filter(|g| (1..=17).contains(g)).ok_or_else(
                        || {
                            ApiError::bad(
                                "sdg",
                                format!("'{}' is not a goal from 1 to 17", clip(v)),
                            )
                        },
                    )?;
                    filter.sdgs.push(goal);
                }
            }
            "country" => {
                for v in values() {
                    filter.countries.push(reference.countries.code(v).map_err(|_| {
                        ApiError::bad(
                            "country",
                            format!("'{}' is not an ISO 3166-1 alpha-2 code", clip(v)),
                        )
                    })?);
                }
            }
            "q" => filter.text = TextQuery::new(&value, |words| country_named(reference, words)),
            other if allowed.contains(&other) => rest.push((name.into_owned(), value.into_owned())),
            other => return Err(ApiError::bad(clip(other), "unknown parameter")),
        }
    }
    Ok((filter.canonical(), rest))
}

/// The country that words name, in any of the four languages, accents and
/// case ignored; only names of four letters or more ("mali" yes, "in" no).
fn country_named(reference: &Reference, words: &str) -> Option<CountryCode> {
    (words.len() >= 4).then(|| reference.countries.find(words).map(|c| c.code)).flatten()
}

fn terms<'a>(
    reference: &Reference,
    facet: Facet,
    field: &str,
    values: impl Iterator<Item = &'a str>,
) -> Result<Vec<impactmap_model::TermKey>, ApiError> {
    values
        .map(|v| {
            reference
                .taxonomy
                .key(facet, v)
                .map_err(|_| ApiError::bad(field, format!("'{}' is not a {field} key", clip(v))))
        })
        .collect()
}

/// A value quoted back is cut short, so a long input never makes a long answer.
pub(crate) fn clip(text: &str) -> String {
    let mut out: String = text.chars().take(40).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}
