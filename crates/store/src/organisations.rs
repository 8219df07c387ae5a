use impactmap_model::{
    CountryCode, Listing, LonLat, OrgId, Organisation, Provenance, SdgSet, TermKey,
};
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior, params};

use crate::{Store, StoreError};

const COLUMNS: &str = "id, name, description, website, email, country, city, continent, family, \
                       sectors, sdgs, lon, lat, source, source_id, created, updated, sample, \
                       submitted";

/// What an upsert did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpsertSummary {
    /// New organisations.
    pub inserted: usize,
    /// Organisations whose content changed.
    pub updated: usize,
    /// Organisations already stored exactly so.
    pub unchanged: usize,
}

impl Store {
    /// Inserts or updates organisations by provenance, all in one transaction:
    /// either every one is stored or, on any error, none is.
    ///
    /// An unchanged organisation keeps its timestamps; a changed one keeps
    /// its `created` and takes the later `updated`.
    ///
    /// # Errors
    /// [`StoreError::IdCollision`] or an SQLite failure; nothing is written then.
    pub fn upsert(&self, organisations: &[Organisation]) -> Result<UpsertSummary, StoreError> {
        self.upsert_with_progress(organisations, |_| {})
    }

    /// [`Store::upsert`], calling `progress` with the number done every 1,000 organisations.
    ///
    /// # Errors
    /// As [`Store::upsert`].
    pub fn upsert_with_progress(
        &self,
        organisations: &[Organisation],
        mut progress: impl FnMut(usize),
    ) -> Result<UpsertSummary, StoreError> {
        self.write(|connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut summary = UpsertSummary::default();
            {
                let mut find = tx.prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM organisations WHERE source = ?1 AND source_id = ?2"
                ))?;
                let mut by_id =
                    tx.prepare_cached("SELECT source, source_id FROM organisations WHERE id = ?1")?;
                let mut insert = tx.prepare_cached(&format!(
                    "INSERT INTO organisations ({COLUMNS}) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, \
                     ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)"
                ))?;
                let mut update = tx.prepare_cached(
                    "UPDATE organisations \
                     SET name = ?2, description = ?3, website = ?4, email = ?5, country = ?6, \
                     city = ?7, continent = ?8, family = ?9, sectors = ?10, sdgs = ?11, \
                     lon = ?12, lat = ?13, updated = ?17, sample = ?18, submitted = ?19 \
                     WHERE id = ?1",
                )?;
                for (done, org) in organisations.iter().enumerate() {
                    if done % 1000 == 0 {
                        progress(done);
                    }
                    let existing = find
                        .query_row(
                            params![org.provenance.source, org.provenance.source_id],
                            from_row,
                        )
                        .optional()?
                        .transpose()?;
                    match existing {
                        Some(stored) if stored.same_content(org) => summary.unchanged += 1,
                        Some(stored) => {
                            let updated = org.updated.max(stored.updated);
                            update.execute(
                                values(&Organisation {
                                    id: stored.id,
                                    created: stored.created,
                                    updated,
                                    ..org.clone()
                                })
                                .as_params(),
                            )?;
                            summary.updated += 1;
                        }
                        None => {
                            if let Some((source, source_id)) = by_id
                                .query_row([org.id.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
                                .optional()?
                            {
                                return Err(StoreError::IdCollision {
                                    id: org.id.to_string(),
                                    existing_source: source,
                                    existing_source_id: source_id,
                                });
                            }
                            insert.execute(values(org).as_params())?;
                            summary.inserted += 1;
                        }
                    }
                }
            }
            if summary.inserted + summary.updated > 0 {
                bump_organisations_version(&tx)?;
            }
            tx.commit()?;
            Ok(summary)
        })
    }

    /// How many organisations are stored.
    ///
    /// # Errors
    /// An SQLite failure.
    pub fn count(&self) -> Result<usize, StoreError> {
        self.read(|c| {
            Ok(c.query_row("SELECT count(*) FROM organisations", [], |r| r.get::<_, i64>(0))
                .map(|n| usize::try_from(n).unwrap_or(0))?)
        })
    }

    /// One organisation by id.
    ///
    /// # Errors
    /// An SQLite failure, or [`StoreError::Row`] for a row that no longer validates.
    pub fn organisation(&self, id: &OrgId) -> Result<Option<Organisation>, StoreError> {
        self.read(|c| {
            c.query_row(
                &format!("SELECT {COLUMNS} FROM organisations WHERE id = ?1"),
                [id.as_str()],
                from_row,
            )
            .optional()?
            .transpose()
        })
    }

    /// Calls `each` with every organisation, ordered by id, without holding them all.
    ///
    /// # Errors
    /// An SQLite failure, a [`StoreError::Row`], or the first error of `each`.
    pub fn each_organisation<E: From<StoreError>>(
        &self,
        mut each: impl FnMut(Organisation) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut failure = None;
        let outcome = self.read(|c| {
            each_row(c, &mut |org| {
                each(org).map_err(|e| {
                    failure = Some(e);
                    StoreError::Stopped
                })
            })
        });
        match (outcome, failure) {
            (_, Some(e)) => Err(e),
            (outcome, None) => outcome.map_err(E::from),
        }
    }
}

impl Store {
    /// Calls `each` with every organisation's listing (the columns maps and
    /// queries need), in storage order: what the Atlas is built from, which
    /// sorts them itself. Read in id order, a million rows took three times
    /// as long: each was looked up through the id index at a page of its own.
    ///
    /// # Errors
    /// An SQLite failure, or [`StoreError::Row`] for a row that no longer validates.
    pub fn each_listing(&self, mut each: impl FnMut(Listing)) -> Result<(), StoreError> {
        self.read(|c| {
            let mut statement = c.prepare(
                "SELECT id, name, city, country, continent, family, sectors, sdgs, lon, lat, \
                 sample FROM organisations",
            )?;
            let mut rows = statement.query([])?;
            while let Some(row) = rows.next()? {
                each(listing_from_row(row)??);
            }
            Ok(())
        })
    }
}

/// Writes an organisation by id: a new one, or a new version of a stored one
/// (which keeps its `created`).
pub(crate) fn put_organisation(tx: &Transaction<'_>, org: &Organisation) -> Result<(), StoreError> {
    let mut put = tx.prepare_cached(&format!(
        "INSERT INTO organisations ({COLUMNS}) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, \
         ?19)
         ON CONFLICT (id) DO UPDATE SET name = ?2, description = ?3, website = ?4, \
         email = ?5, country = ?6, city = ?7, continent = ?8,
         family = ?9, sectors = ?10, sdgs = ?11, lon = ?12, lat = ?13, updated = ?17, sample = ?18,
         submitted = ?19"
    ))?;
    put.execute(values(org).as_params())?;
    Ok(())
}

/// Marks, inside the writing transaction, that organisations changed.
pub(crate) fn bump_organisations_version(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) \
         WHERE key = 'organisations_version'",
        [],
    )?;
    Ok(())
}

/// Where a listing's columns stand in a row.
struct ListingColumns {
    id: usize,
    name: usize,
    city: usize,
    country: usize,
    continent: usize,
    family: usize,
    sectors: usize,
    sdgs: usize,
    lon: usize,
    lat: usize,
    sample: usize,
}

/// The columns of `each_listing`'s query.
const LISTING_QUERY: ListingColumns = ListingColumns {
    id: 0,
    name: 1,
    city: 2,
    country: 3,
    continent: 4,
    family: 5,
    sectors: 6,
    sdgs: 7,
    lon: 8,
    lat: 9,
    sample: 10,
};

/// The same columns among [`COLUMNS`].
const IN_COLUMNS: ListingColumns = ListingColumns {
    id: 0,
    name: 1,
    city: 6,
    country: 5,
    continent: 7,
    family: 8,
    sectors: 9,
    sdgs: 10,
    lon: 11,
    lat: 12,
    sample: 17,
};

fn listing_from_row(row: &Row<'_>) -> rusqlite::Result<Result<Listing, StoreError>> {
    listing_at(row, &LISTING_QUERY)
}

/// Rebuilds a listing from a row. The outer error is SQLite's, the inner one
/// a row that no longer forms a valid organisation.
fn listing_at(
    row: &Row<'_>,
    columns: &ListingColumns,
) -> rusqlite::Result<Result<Listing, StoreError>> {
    let id: String = row.get(columns.id)?;
    let (country, continent, family, sectors): (String, String, String, String) = (
        row.get(columns.country)?,
        row.get(columns.continent)?,
        row.get(columns.family)?,
        row.get(columns.sectors)?,
    );
    let (sdgs, lon, lat): (u32, f64, f64) =
        (row.get(columns.sdgs)?, row.get(columns.lon)?, row.get(columns.lat)?);
    let invalid = |detail: String| StoreError::Row { id: id.clone(), detail };
    let build = || -> Result<Listing, StoreError> {
        Ok(Listing {
            id: OrgId::parse(&id).map_err(|e| invalid(e.to_string()))?,
            name: row.get(columns.name)?,
            city: row.get(columns.city)?,
            country: CountryCode::parse(&country).map_err(|e| invalid(e.to_string()))?,
            continent: TermKey::try_from(continent.clone()).map_err(invalid)?,
            family: TermKey::try_from(family.clone()).map_err(invalid)?,
            sectors: sectors
                .split(';')
                .map(|s| TermKey::try_from(s.to_owned()))
                .collect::<Result<_, _>>()
                .map_err(invalid)?,
            sdgs: SdgSet::from_bits(sdgs).map_err(|e| invalid(e.to_string()))?,
            location: LonLat::new(lon, lat).map_err(|e| invalid(e.to_string()))?,
            sample: row.get(columns.sample)?,
        })
    };
    Ok(build())
}

fn each_row(
    connection: &Connection,
    each: &mut impl FnMut(Organisation) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut statement =
        connection.prepare(&format!("SELECT {COLUMNS} FROM organisations ORDER BY id"))?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        each(from_row(row)??)?;
    }
    Ok(())
}

struct Values {
    id: String,
    name: String,
    description: String,
    website: Option<String>,
    email: Option<String>,
    country: String,
    city: String,
    continent: String,
    family: String,
    sectors: String,
    sdgs: u32,
    lon: f64,
    lat: f64,
    source: String,
    source_id: String,
    created: String,
    updated: String,
    sample: bool,
    submitted: Option<String>,
}

impl Values {
    fn as_params(&self) -> [&dyn rusqlite::ToSql; 19] {
        [
            &self.id,
            &self.name,
            &self.description,
            &self.website,
            &self.email,
            &self.country,
            &self.city,
            &self.continent,
            &self.family,
            &self.sectors,
            &self.sdgs,
            &self.lon,
            &self.lat,
            &self.source,
            &self.source_id,
            &self.created,
            &self.updated,
            &self.sample,
            &self.submitted,
        ]
    }
}

fn values(org: &Organisation) -> Values {
    Values {
        id: org.id.to_string(),
        name: org.name.clone(),
        description: org.description.clone(),
        website: org.website.clone(),
        email: org.email.clone(),
        country: org.country.to_string(),
        city: org.city.clone(),
        continent: org.continent.to_string(),
        family: org.family.to_string(),
        sectors: org.sectors.iter().map(TermKey::as_str).collect::<Vec<_>>().join(";"),
        sdgs: org.sdgs.bits(),
        lon: org.location.lon(),
        lat: org.location.lat(),
        source: org.provenance.source.clone(),
        source_id: org.provenance.source_id.clone(),
        created: org.created.to_string(),
        updated: org.updated.to_string(),
        sample: org.sample,
        submitted: org.submitted.map(|t| t.to_string()),
    }
}

/// Rebuilds an organisation from a row of [`COLUMNS`]: its listing, then the rest.
fn from_row(row: &Row<'_>) -> rusqlite::Result<Result<Organisation, StoreError>> {
    let listing = match listing_at(row, &IN_COLUMNS)? {
        Ok(listing) => listing,
        Err(e) => return Ok(Err(e)),
    };
    let (created, updated): (String, String) = (row.get(15)?, row.get(16)?);
    let invalid = |detail: String| StoreError::Row { id: listing.id.to_string(), detail };
    let created = match created.parse::<Timestamp>() {
        Ok(t) => t,
        Err(e) => return Ok(Err(invalid(format!("created: {e}")))),
    };
    let updated = match updated.parse::<Timestamp>() {
        Ok(t) => t,
        Err(e) => return Ok(Err(invalid(format!("updated: {e}")))),
    };
    let submitted = match row.get::<_, Option<String>>(18)?.map(|t| t.parse::<Timestamp>()) {
        None => None,
        Some(Ok(t)) => Some(t),
        Some(Err(e)) => return Ok(Err(invalid(format!("submitted: {e}")))),
    };
    Ok(Ok(Organisation {
        description: row.get(2)?,
        website: row.get(3)?,
        email: row.get(4)?,
        provenance: Provenance { source: row.get(13)?, source_id: row.get(14)? },
        created,
        updated,
        submitted,
        sample: row.get(17)?,
        id: listing.id,
        name: listing.name,
        country: listing.country,
        city: listing.city,
        continent: listing.continent,
        family: listing.family,
        sectors: listing.sectors,
        sdgs: listing.sdgs,
        location: listing.location,
    }))
}
