use crate::{CountryCode, LonLat, fold};

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
    pub location: LonLat,
    /// Inhabitants.
    pub population: u32,
}

/// Towns (shipped in `data/gazetteer.csv`), with an accent-insensitive prefix search.
#[derive(Debug)]
pub struct Gazetteer {
    towns: Vec<Town>,
    /// (folded name, index into towns), sorted for prefix search.
    folded: Vec<(String, usize)>,
}

impl Gazetteer {
    /// Indexes the towns by name.
    pub fn new(towns: Vec<Town>) -> Self {
        let mut folded: Vec<_> =
            towns.iter().enumerate().map(|(i, t)| (fold(&t.name), i)).collect();
        folded.sort();
        Self { towns, folded }
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
            .filter(|t| (t.location.lat() - at.lat()).abs() <= within_deg)
            .map(|t| {
                let mut dx = (t.location.lon() - at.lon()).abs();
                if dx > 180.0 {
                    dx = 360.0 - dx;
                }
                (t, (dx * shrink).hypot(t.location.lat() - at.lat()))
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
            if town.country.as_str() == country
                && best.is_none_or(|b| town.population > b.population)
            {
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
        let mut found: Vec<&Town> = self.folded[start..]
            .iter()
            .take_while(|(name, _)| name.starts_with(&key))
            .map(|&(_, i)| &self.towns[i])
            .collect();
        found.sort_by(|a, b| b.population.cmp(&a.population).then(a.geoname_id.cmp(&b.geoname_id)));
        found.truncate(limit);
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gazetteer() -> Gazetteer {
        let town = |geoname_id, name: &str, country, lon, lat, population| Town {
            geoname_id,
            name: name.to_owned(),
            country: CountryCode::parse(country).unwrap(),
            location: LonLat::new(lon, lat).unwrap(),
            population,
        };
        Gazetteer::new(vec![
            town(1, "São Paulo", "BR", -46.64, -23.55, 12_000_000),
            town(2, "São Paulo de Olivença", "BR", -68.87, -3.38, 17_000),
            town(3, "Sao Paulo", "PH", 120.0, 15.0, 20_000),
            town(4, "Thiès", "SN", -16.93, 14.79, 320_000),
            town(5, "Funafuti", "TV", 179.8, -8.52, 6_000),
        ])
    }

    #[test]
    fn prefix_search_ignores_accents_and_ranks_by_population() {
        let g = gazetteer();
        let names = |prefix, limit| {
            g.search(prefix, limit).iter().map(|t| t.geoname_id).collect::<Vec<_>>()
        };
        assert_eq!(names("sao pau", 3), [1, 3, 2]);
        assert_eq!(names("SAO PAU", 1), [1]);
        assert_eq!(names("THIES", 5), [4]);
        assert!(names("", 5).is_empty());
        assert!(names("zzzzqq", 5).is_empty());
        assert_eq!(g.town("SN", "thies").map(|t| t.name.as_str()), Some("Thiès"));
        assert_eq!(g.town("PH", "são paulo").map(|t| t.geoname_id), Some(3));
        assert!(g.town("FR", "thies").is_none());
    }

    #[test]
    fn nearest_town_across_the_antimeridian() {
        let g = gazetteer();
        let near =
            |lon, lat| g.nearest(LonLat::new(lon, lat).unwrap(), 0.5).map(|(t, _)| t.name.as_str());
        assert_eq!(near(179.5, -8.52), Some("Funafuti"));
        assert_eq!(near(-179.9, -8.52), Some("Funafuti")); // 0.3 degrees east across 180
        assert_eq!(near(-179.2, -8.52), None); // 1 degree east across 180
        assert_eq!(near(-30.0, 30.0), None);
    }
}
