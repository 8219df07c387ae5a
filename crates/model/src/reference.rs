use crate::{Boundaries, Countries, Gazetteer, ModelError, Taxonomy};

/// The reference data every validation and import needs, loaded once and
/// passed by reference.
#[derive(Debug)]
pub struct Reference {
    /// Families, sectors, continents.
    pub taxonomy: Taxonomy,
    /// ISO 3166-1 countries.
    pub countries: Countries,
    /// Country polygons.
    pub boundaries: Boundaries,
    /// Real towns.
    pub gazetteer: Gazetteer,
}

impl Reference {
    /// Parses reference data from the texts of the four files in `data/`.
    ///
    /// # Errors
    /// [`ModelError::Reference`] naming the file that does not parse, or a
    /// country whose continent the taxonomy does not know.
    pub fn parse(taxonomy: &str, countries: &str, boundaries: &str, gazetteer: &str) -> Result<Self, ModelError> {
        let taxonomy = Taxonomy::from_toml(taxonomy)?;
        let countries = Countries::from_csv(countries)?;
        if let Some(c) = countries.all().iter().find(|c| taxonomy.term(crate::Facet::Continent, c.continent.as_str()).is_none()) {
            return Err(ModelError::Reference {
                name: "countries.csv",
                message: format!("{}: unknown continent '{}'", c.code, c.continent),
            });
        }
        let boundaries = Boundaries::from_geojson(boundaries, &countries)?;
        let gazetteer = Gazetteer::from_csv(gazetteer, &countries)?;
        Ok(Self { taxonomy, countries, boundaries, gazetteer })
    }

    /// The reference data shipped in `data/`, compiled into the binary.
    ///
    /// # Panics
    /// Only if the shipped files are broken, which the crate's tests catch.
    pub fn embedded() -> Self {
        Self::parse(
            include_str!("../../../data/taxonomy.toml"),
            include_str!("../../../data/countries.csv"),
            include_str!("../../../data/boundaries.geojson"),
            include_str!("../../../data/gazetteer.csv"),
        )
        .expect("the reference data shipped in data/ parses")
    }
}
