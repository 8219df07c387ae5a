use impactmap_model::fold;

/// The columns we understand, whatever a file calls them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Column {
    Id,
    Source,
    SourceId,
    Name,
    Description,
    Website,
    Email,
    City,
    Country,
    Family,
    /// ESSGlobal `Organisational Structure`: the family of a row whose `family` cell is empty.
    OrgStructure,
    Sectors,
    /// ESSGlobal `Primary Activity` and `Activities`: the sectors of a row
    /// whose `sectors` cell is empty.
    Activities,
    Categories,
    Sdgs,
    Lat,
    Lon,
    /// ESSGlobal geocoded position, used when `Latitude`/`Longitude` are empty.
    GeoLat,
    GeoLon,
    Created,
    Updated,
    Sample,
    /// Known and deliberately not stored (our export's derived `continent`).
    Derived,
}

impl Column {
    /// Whether several columns of a file may feed this one (ESSGlobal's
    /// `Primary Activity` and `Activities` both hold sectors).
    pub(crate) fn accumulates(self) -> bool {
        matches!(self, Self::Sectors | Self::Activities | Self::Categories)
    }
}

/// Maps a header (any case, accents or punctuation) to our column.
pub(crate) fn column_for(header: &str) -> Option<Column> {
    use Column as C;
    Some(match fold(header).as_str() {
        "id" | "identifier" | "identifiant" | "identificador" | "uid" => C::Id,
        "source" => C::Source,
        "sourceid" => C::SourceId,
        "name" | "title" | "nom" | "nombre" | "nome" | "organisation" | "organization"
        | "organisationname" | "organizationname" | "raisonsociale" | "titre" | "denomination" => {
            C::Name
        }
        "description" | "desc" | "about" | "descripcion" | "descricao" | "presentation" => {
            C::Description
        }
        "website" | "web" | "url" | "site" | "siteweb" | "siteinternet" | "homepage"
        | "sitioweb" => C::Website,
        "email" | "mail" | "emailaddress" | "courriel" | "correo" | "correoelectronico" => C::Email,
        "city" | "town" | "ville" | "commune" | "locality" | "localite" | "ciudad" | "cidade"
        | "addresslocality" | "municipality" => C::City,
        "country" | "countryid" | "countrycode" | "countryname" | "pays" | "pais" | "iso2"
        | "addresscountry" => C::Country,
        "family" | "famille" | "familia" | "type" | "organisationtype" | "organizationtype"
        | "legalform" | "formejuridique" | "statut" => C::Family,
        "organisationalstructure" | "organizationalstructure" => C::OrgStructure,
        "sectors" | "sector" | "secteur" | "secteurs" | "sectores" | "sector1" | "domain"
        | "domaine" | "thematique" | "themes" => C::Sectors,
        "primaryactivity" | "activities" | "activity" | "activite" | "activites" | "actividad" => {
            C::Activities
        }
        "categories" | "category" | "categorie" | "categoria" => C::Categories,
        "sdgs" | "sdg" | "odd" | "ods" | "goals" => C::Sdgs,
        "lat" | "latitude" | "y" => C::Lat,
        "lon" | "lng" | "long" | "longitude" | "x" => C::Lon,
        "geocontainerlatitude" => C::GeoLat,
        "geocontainerlongitude" | "geocontainerlongitide" => C::GeoLon,
        "created" | "createdat" | "datecreated" | "creation" => C::Created,
        "updated" | "updatedat" | "datemodified" | "modified" | "lastupdated" => C::Updated,
        "sample" => C::Sample,
        "continent" => C::Derived,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::{Column, column_for};

    #[test]
    fn maps_headers_of_every_dialect() {
        assert_eq!(column_for("Latitude"), Some(Column::Lat));
        assert_eq!(column_for(" LNG "), Some(Column::Lon));
        assert_eq!(column_for("Geo Container Longitide"), Some(Column::GeoLon));
        assert_eq!(column_for("Organisational Structure"), Some(Column::OrgStructure));
        assert_eq!(column_for("Country ID"), Some(Column::Country));
        assert_eq!(column_for("Country Name"), Some(Column::Country));
        assert_eq!(column_for("Secteur"), Some(Column::Sectors));
        assert_eq!(column_for("Twitter"), None);
    }
}
