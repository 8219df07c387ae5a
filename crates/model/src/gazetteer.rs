use serde::Deserialize;

use crate::{Countries, CountryCode, LonLat, ModelError, fold};

/// A real town (GeoNames, 15,000+ inhabitants).
#[derive(Debug, Clone)]
pub struct Town {
    /// GeoNames id.
    pub geoname_id: u32,
    /// Name as GeoNames spells it.
    pub name: String,
    /// Country.
    pub country: CountryCode,
    /// Position.
    pub at: LonLat,
    /// Inhabitants.
    pub population: u32,
}

#[derive(Deserialize)]
struct TownRow {
    geonameid: u32,
    name: String,
    country: String,
    lat: f64,
    lon: f64,
    population: u32,
}

/// The towns of `data/gazetteer.csv`, with an accent-insensitive prefix search.
#[derive(Debug)]
pub struct Gazetteer {
    towns: Vec<Town>,
    /// (folded name, index into towns), sorted for prefix search.
    folded: Vec<(String, usize)>,
}

impl Gazetteer {
    /// Parses the gazetteer; towns of countries we do not know are refused.
    ///
    /// # Errors
    /// [`ModelError::Reference`] when a row does not parse.
    pub fn from_csv(text: &str, countries: &Countries) -> Result<Self, ModelError> {
        let bad = |message: String| ModelError::Reference { name: "gazetteer.csv", message };
        let mut towns = Vec::new();
        for row in csv::Reader::from_reader(text.as_bytes()).deserialize::<TownRow>() {
            let row = row.map_err(|e| bad(e.to_string()))?;
            let country = countries.code(&row.country).map_err(|e| bad(format!("town {}: {e}", row.geonameid)))?;
            let at = LonLat::new(row.lon, row.lat).map_err(|e| bad(format!("town {}: {e}", row.geonameid)))?;
            towns.push(Town { geoname_id: row.geonameid, name: row.name, country, at, population: row.population });
        }
        let mut folded: Vec<_> = towns.iter().enumerate().map(|(i, t)| (fold(&t.name), i)).collect();
        folded.sort();
        Ok(Self { towns, folded })
    }

    /// All towns.
    pub fn towns(&self) -> &[Town] {
        &self.towns
    }

    /// The town nearest to a point, if one lies within `within_deg` (degrees
    /// of latitude; longitudes shrink with the latitude), with that distance.
    /// A scan: used only for the rare points that lie in no drawn country.
    pub fn nearest(&self, at: LonLat, within_deg: f64) -> Option<(&Town, f64)> {
        let shrink = at.lat().to_radians().cos();
        self.towns
            .iter()
            .filter(|t| (t.at.lat() - at.lat()).abs() <= within_deg)
            .map(|t| {
                let mut dx = (t.at.lon() - at.lon()).abs();
                if dx > 180.0 {
                    dx = 360.0 - dx;
                }
                (t, (dx * shrink).hypot(t.at.lat() - at.lat()))
            })
            .filter(|&(_, d)| d <= within_deg)
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// The most populous town of `country` (an ISO code) named `name`,
    /// accents and case ignored.
    pub fn town(&self, country: &str, name: &str) -> Option<&Town> {
        let key = fold(name);
        let start = self.folded.partition_point(|(folded, _)| folded.as_str() < key.as_str());
        let mut best: Option<&Town> = None;
        for &(_, i) in self.folded[start..].iter().take_while(|(folded, _)| *folded == key) {
            let town = &self.towns[i];
            if town.country.as_str() == country && best.is_none_or(|b| town.population > b.population) {
                best = Some(town);
            }
        }
        best
    }

    /// Towns whose name starts with `prefix` (accents and case ignored), most
    /// populous first.
    pub fn search(&self, prefix: &str, limit: usize) -> Vec<&Town> {
        let key = fold(prefix);
        if key.is_empty() {
            return Vec::new();
        }
        let start = self.folded.partition_point(|(name, _)| name.as_str() < key.as_str());
        let mut found: Vec<&Town> =
            self.folded[start..].iter().take_while(|(name, _)| name.starts_with(&key)).map(|&(_, i)| &self.towns[i]).collect();
        found.sort_by(|a, b| b.population.cmp(&a.population).then(a.geoname_id.cmp(&b.geoname_id)));
        found.truncate(limit);
        found
    }
}

#[cfg(test)]
mod tests {
    use crate::Reference;

    #[test]
    fn prefix_search_ignores_accents_and_ranks_by_population() {
        let r = Reference::embedded();
        let found = r.gazetteer.search("sao pau", 3);
        assert_eq!(found[0].name, "São Paulo");
        assert_eq!(found[0].country.as_str(), "BR");
        let thies = r.gazetteer.search("THIES", 1);
        assert_eq!(thies[0].country.as_str(), "SN");
        assert!(r.gazetteer.search("", 5).is_empty());
        assert!(r.gazetteer.search("zzzzqq", 5).is_empty());
        assert_eq!(r.gazetteer.town("SN", "thies").map(|t| t.name.as_str()), Some("Thiès"));
        assert!(r.gazetteer.town("FR", "thies").is_none());
    }

    #[test]
    fn nearest_town_across_the_antimeridian() {
        let r = Reference::embedded();
        let near = |lon, lat| r.gazetteer.nearest(crate::LonLat::new(lon, lat).unwrap(), 0.5).map(|(t, _)| t.name.as_str());
        assert_eq!(near(179.202_6, -8.549_9), Some("Funafuti")); // Tuvalu: no polygon at 1:50m
        assert_eq!(near(-179.9, -8.52), None); // 0.7 degrees east of Funafuti across 180
        assert_eq!(near(-30.0, 30.0), None);
    }
}
