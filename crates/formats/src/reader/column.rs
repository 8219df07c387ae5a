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
    /// ESSGlobal `Organisational Structure`: a known code is the family,
    /// whatever a free-text family says; else the family when that is empty.
    OrgStructure,
    Sectors,
    /// ESSGlobal `Primary Activity` and `Activities`: when any code is known,
    /// the sectors, whatever a free-text sector says; else the sectors when
    /// that is empty.
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
    /// When the source says the organisation was submitted (a form's timestamp).
    Submitted,
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
        | "sitioweb" | "domain" | "domainname" | "websites" | "urls" => C::Website,
        "email" | "mail" | "emailaddress" | "courriel" | "correo" | "correoelectronico" => C::Email,
        "city" | "town" | "ville" | "commune" | "locality" | "localite" | "ciudad" | "cidade"
        | "addresslocality" | "municipality" => C::City,
        "country" | "countryid" | "countrycode" | "countryname" | "pays" | "pais" | "iso2"
        | "addresscountry" => C::Country,
        "family" | "famille" | "familia" | "type" | "organisationtype" | "organizationtype"
        | "legalform" | "formejuridique" | "statut" => C::Family,
        "organisationalstructure" | "organizationalstructure" => C::OrgStructure,
        "sectors" | "sector" | "secteur" | "secteurs" | "sectores" | "sector1" | "domaine"
        | "thematique" | "themes" => C::Sectors,
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
        "submitted" | "horodateur" | "timestamp" | "marcatemporal" | "carimbodedatahora"
        | "dateofsubmission" | "submitdate" | "datesubmitted" => C::Submitted,
        "updated" | "updatedat" | "datemodified" | "modified" | "lastupdated" => C::Updated,
        "sample" => C::Sample,
        "continent" => C::Derived,
        _ => return None,
    })
}

/// Maps a spreadsheet's header: a name [`column_for`] knows, else the
/// column a form's question asks for.
pub(crate) fn column_for_header(header: &str) -> Option<Column> {
    column_for(header).or_else(|| column_asked(header))
}

/// The column a form's question asks for, as Google Forms, Framaforms or
/// LimeSurvey head their exports ("Nom de l'organisation", "Name of your
/// organisation", "Secteur d'activité", "¿En qué país…?"): read by the
/// words it holds, in English, French, Spanish or Portuguese. A question
/// about a person (a contact's name) names no column.
fn column_asked(header: &str) -> Option<Column> {
    use Column as C;
    let words: Vec<String> =
        header.split(|c: char| !c.is_alphanumeric()).map(fold).filter(|w| !w.is_empty()).collect();
    let has = |options: &[&str]| words.iter().any(|w| options.contains(&w.as_str()));
    let joined = words.concat();
    let says = |phrases: &[&str]| phrases.iter().any(|p| joined.contains(p));
    // Several words form the name of one thing: the order below settles
    // the questions that hold two of them ("e-mail of the organisation").
    let about_a_person =
        has(&["contact", "person", "personne", "persona", "pessoa", "responsable"])
            || has(&["prenom", "firstname", "surname", "apellido", "sobrenome"]);
    Some(if says(&["email", "courriel", "correoelectronico", "adressemail"]) {
        C::Email
    } else if says(&["siteinternet", "siteweb", "website", "sitioweb", "paginaweb"])
        || has(&["url", "web"])
    {
        C::Website
    } else if has(&["odd", "sdg", "sdgs", "ods"])
        || says(&["developpementdurable", "sustainabledevelopment", "desarrollosostenible"])
        || says(&["desenvolvimentosustentavel"])
    {
        C::Sdgs
    } else if has(&["secteur", "secteurs", "sector", "sectors", "sectores", "setor", "setores"]) {
        C::Sectors
    } else if has(&["famille", "family", "familia"])
        || says(&["typeoforganisation", "typeoforganization", "typedorganisation"])
        || says(&["typedestructure", "formejuridique", "statutjuridique", "tipodeorganizacion"])
        || says(&["tipodeentidad", "tipodeorganizacao"])
    {
        C::Family
    } else if has(&["description", "descripcion", "descricao", "presentation", "presentez"])
        || says(&["describe", "decrivez", "describa", "descreva"])
    {
        C::Description
    } else if has(&["pays", "country", "pais"]) {
        C::Country
    } else if has(&["ville", "city", "town", "ciudad", "cidade", "commune", "localite"]) {
        C::City
    } else if has(&["latitude", "latitud"]) {
        C::Lat
    } else if has(&["longitude", "longitud"]) {
        C::Lon
    } else if !about_a_person
        && has(&["nom", "name", "nombre", "nome", "denomination"])
        && has(&[
            "organisation",
            "organization",
            "organizacion",
            "organizacao",
            "structure",
            "entidad",
            "entidade",
            "entreprise",
            "empresa",
            "association",
            "cooperative",
            "initiative",
        ])
    {
        C::Name
    } else {
        return None;
    })
}

#[cfg(test)]
mod tests {
    use super::{Column, column_for, column_for_header};

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
        assert_eq!(column_for("Domain"), Some(Column::Website), "a registry's web domain");
        assert_eq!(column_for("Domaine"), Some(Column::Sectors), "a field of work, in French");
    }

    /// A form export's questions, in the four languages, name their columns;
    /// questions about a person, or about nothing we keep, name none.
    #[test]
    fn maps_the_questions_of_form_exports() {
        for (question, column) in [
            ("Horodateur", Some(Column::Submitted)),
            ("Timestamp", Some(Column::Submitted)),
            ("Marca temporal", Some(Column::Submitted)),
            ("Adresse e-mail", Some(Column::Email)),
            ("Email Address", Some(Column::Email)),
            ("Nom de l'organisation", Some(Column::Name)),
            ("Name of your organisation", Some(Column::Name)),
            ("Nombre de la entidad", Some(Column::Name)),
            ("Nome da organização", Some(Column::Name)),
            ("Pays", Some(Column::Country)),
            ("En quel pays êtes-vous ?", Some(Column::Country)),
            ("Ville", Some(Column::City)),
            ("Site internet", Some(Column::Website)),
            ("Site internet de l'organisation", Some(Column::Website)),
            ("Famille de l'ESS", Some(Column::Family)),
            ("Type of organisation", Some(Column::Family)),
            ("Secteur d'activité", Some(Column::Sectors)),
            ("Sector de actividad", Some(Column::Sectors)),
            ("Objectifs de développement durable", Some(Column::Sdgs)),
            ("Sustainable Development Goals (SDGs)", Some(Column::Sdgs)),
            ("Objetivos de Desenvolvimento Sustentável", Some(Column::Sdgs)),
            ("Description de l'organisation", Some(Column::Description)),
            ("Décrivez vos activités", Some(Column::Description)),
            ("Nom de la personne contact", None),
            ("Name of the contact person in your organisation", None),
            ("Comment avez-vous connu le Pacte ?", None),
        ] {
            assert_eq!(column_for_header(question), column, "{question}");
        }
        assert_eq!(column_for_header("Membership Type"), None, "ESSGlobal's, not a family");
        assert_eq!(column_for("Nom de l'organisation"), None, "JSON keys are read as they are");
    }
}
