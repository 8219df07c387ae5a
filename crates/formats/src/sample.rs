//! The sample atlas: plausible organisations at real towns, spread roughly
//! as the alliance is, every one marked as sample in its name, its flag, its
//! description and its source.

use jiff::{Timestamp, ToSpan};
use rand::distr::{Distribution, weighted::WeightedIndex};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use impactmap_model::{
    Facet, Organisation, OrganisationDraft, Placement, Reference, Taxonomy, Town,
};

/// The source name of every generated organisation.
pub const SAMPLE_SOURCE: &str = "impactmap-sample";

/// Share of organisations per continent: dense where the SSE is dense.
const CONTINENT_WEIGHTS: [(&str, u32); 6] = [
    ("europe", 32),
    ("africa", 27),
    ("latin-america-caribbean", 17),
    ("asia", 12),
    ("north-america", 7),
    ("oceania", 5),
];

/// Relative frequency of families.
const FAMILY_WEIGHTS: [(&str, u32); 10] = [
    ("association", 22),
    ("cooperative", 20),
    ("social-enterprise", 15),
    ("mutual", 8),
    ("inclusive-business", 8),
    ("foundation", 7),
    ("network", 7),
    ("public-body", 5),
    ("funder", 4),
    ("research", 4),
];

#[derive(Clone, Copy)]
enum Lang {
    En,
    Fr,
    Es,
    Pt,
}

const FRENCH: &[&str] = &[
    "FR", "BE", "LU", "MC", "SN", "CI", "ML", "BF", "NE", "TG", "BJ", "GN", "CM", "GA", "CG", "CD",
    "CF", "TD", "MG", "TN", "MA", "DZ", "HT", "RE", "GP", "MQ", "GF", "NC", "PF", "DJ", "KM", "BI",
    "RW", "MU", "SC",
];
const SPANISH: &[&str] = &[
    "ES", "MX", "AR", "CO", "PE", "CL", "VE", "EC", "BO", "PY", "UY", "CR", "PA", "GT", "HN", "SV",
    "NI", "CU", "DO", "PR", "GQ",
];
const PORTUGUESE: &[&str] = &["PT", "BR", "AO", "MZ", "CV", "GW", "ST", "TL"];

fn lang_of(country: &str) -> Lang {
    if FRENCH.contains(&country) {
        Lang::Fr
    } else if SPANISH.contains(&country) {
        Lang::Es
    } else if PORTUGUESE.contains(&country) {
        Lang::Pt
    } else {
        Lang::En
    }
}

/// What a family is called in a name, per language: (en, fr, es, pt).
fn family_word(family: &str) -> [&'static str; 4] {
    match family {
        "cooperative" => ["Cooperative", "Coopérative", "Cooperativa", "Cooperativa"],
        "mutual" => ["Mutual Society", "Mutuelle", "Mutual", "Mútua"],
        "association" => ["Association", "Association", "Asociación", "Associação"],
        "foundation" => ["Foundation", "Fondation", "Fundación", "Fundação"],
        "social-enterprise" => {
            ["Social Enterprise", "Entreprise sociale", "Empresa Social", "Empresa Social"]
        }
        "inclusive-business" => ["Works", "Atelier", "Taller", "Oficina"],
        "public-body" => ["Agency", "Agence", "Agencia", "Agência"],
        "network" => ["Network", "Réseau", "Red", "Rede"],
        "funder" => ["Fund", "Fonds", "Fondo", "Fundo"],
        _ => ["Institute", "Institut", "Instituto", "Instituto"],
    }
}

/// What a sector is called in a name, per language.
fn sector_word(sector: &str) -> [&'static str; 4] {
    match sector {
        "food-agriculture" => ["Farmers", "agricole", "Agrícola", "Agrícola"],
        "health-social" => ["Health", "de santé", "de Salud", "de Saúde"],
        "education" => ["Learning", "éducative", "Educativa", "Educativa"],
        "finance" => {
            ["Savings and Credit", "d'épargne et de crédit", "de Ahorro y Crédito", "de Crédito"]
        }
        "housing" => ["Housing", "d'habitat", "de Vivienda", "Habitacional"],
        "energy-water" => ["Community Energy", "d'énergie citoyenne", "Energética", "de Energia"],
        "environment" => ["Green", "pour le climat", "Ambiental", "Ambiental"],
        "circular-economy" => ["Repair", "de réemploi", "de Reciclaje", "de Reciclagem"],
        "culture" => ["Arts", "culturelle", "Cultural", "Cultural"],
        "advocacy" => ["Rights", "pour les droits", "por los Derechos", "pelos Direitos"],
        "community" => ["Neighbourhood", "de quartier", "Comunitaria", "Comunitária"],
        "employment" => ["Work Integration", "d'insertion", "de Inserción", "de Inserção"],
        "trade-services" => ["Fair Trade", "équitable", "de Comercio Justo", "de Comércio Justo"],
        "industry-crafts" => ["Crafts", "artisanale", "Artesanal", "Artesanal"],
        _ => ["Mobility", "de mobilité", "de Movilidad", "de Mobilidade"],
    }
}

const TAILS: [[&str; 4]; 6] = [
    ["Together", "Ensemble", "Unidos", "Unidos"],
    ["Solidarity", "Solidaire", "Solidaria", "Solidária"],
    ["Horizons", "Horizons", "Horizontes", "Horizontes"],
    ["Commons", "en Commun", "en Común", "em Comum"],
    ["Future", "Avenir", "Futuro", "Futuro"],
    ["", "", "", ""],
];

fn name(lang: Lang, family: &str, sector: &str, town: &str, tail: [&str; 4]) -> String {
    let i = lang as usize;
    let (f, s, t) = (family_word(family)[i], sector_word(sector)[i], tail[i]);
    let base = match lang {
        Lang::En => format!("{town} {s} {f}"),
        Lang::Fr | Lang::Es | Lang::Pt => format!("{f} {s} de {town}"),
    };
    let base = if t.is_empty() { base } else { format!("{base} {t}") };
    format!("{base} (sample)")
}

/// Generates `count` sample organisations; the same seed gives the same list.
///
/// # Panics
/// Only if the shipped reference data lacks the continents or families above,
/// which the crate's tests rule out.
pub fn generate_sample(reference: &Reference, count: usize, seed: u64) -> Vec<Organisation> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let taxonomy = &reference.taxonomy;
    let towns_by_continent: Vec<(Vec<&Town>, WeightedIndex<f64>)> = CONTINENT_WEIGHTS
        .iter()
        .map(|(continent, _)| {
            let towns: Vec<&Town> = reference
                .gazetteer
                .towns()
                .iter()
                .filter(|t| {
                    reference
                        .countries
                        .get(t.country.as_str())
                        .is_some_and(|c| c.continent.as_str() == *continent)
                })
                .collect();
            // Bigger towns host more organisations, but not in proportion: sqrt.
            let weights = WeightedIndex::new(towns.iter().map(|t| f64::from(t.population).sqrt()))
                .expect("every continent has towns");
            (towns, weights)
        })
        .collect();
    let continent = WeightedIndex::new(CONTINENT_WEIGHTS.iter().map(|(_, w)| *w))
        .expect("weights are positive");
    let family =
        WeightedIndex::new(FAMILY_WEIGHTS.iter().map(|(_, w)| *w)).expect("weights are positive");
    let sectors: Vec<&str> = taxonomy
        .terms(Facet::Sector)
        .iter()
        .map(|t| t.key.as_str())
        .filter(|k| *k != Taxonomy::UNCLASSIFIED)
        .collect();
    let epoch: Timestamp = "2025-01-01T00:00:00Z".parse().expect("a valid timestamp");

    let mut out = Vec::with_capacity(count);
    let mut n = 0u64;
    while out.len() < count {
        n += 1;
        let (towns, weights) = &towns_by_continent[continent.sample(&mut rng)];
        let town = towns[weights.sample(&mut rng)];
        let family_key = FAMILY_WEIGHTS[family.sample(&mut rng)].0;
        let sector_count = rng.random_range(1..=3);
        let mut chosen: Vec<&str> = Vec::with_capacity(sector_count);
        while chosen.len() < sector_count {
            let s = sectors[rng.random_range(0..sectors.len())];
            if !chosen.contains(&s) {
                chosen.push(s);
            }
        }
        let sdgs: Vec<u32> =
            (0..rng.random_range(0..=4)).map(|_| rng.random_range(1..=17)).collect();
        // Within about 2 km of the town centre, so points do not stack.
        let (dlon, dlat) = (rng.random_range(-0.02..0.02), rng.random_range(-0.015..0.015));
        let lon = round5((town.location.lon() + dlon).clamp(-180.0, 180.0));
        let lat = round5((town.location.lat() + dlat).clamp(-85.0, 85.0));
        let tail = TAILS[rng.random_range(0..TAILS.len())];
        let created = epoch.checked_add(rng.random_range(0..600 * 24i64).hours()).unwrap_or(epoch);
        let draft = OrganisationDraft {
            name: name(lang_of(town.country.as_str()), family_key, chosen[0], &town.name, tail),
            description: format!(
                "Sample organisation generated by impactmap (seed {seed}); not a real organisation."
            ),
            website: format!("https://example.org/sample/{seed}-{n}"),
            email: String::new(),
            country: town.country.to_string(),
            city: town.name.clone(),
            family: family_key.to_owned(),
            sectors: chosen.iter().map(|s| (*s).to_owned()).collect(),
            sdgs,
            lon,
            lat,
            source: SAMPLE_SOURCE.to_owned(),
            source_id: format!("{seed}-{n}"),
            created: Some(created),
            updated: Some(created),
            submitted: None,
            sample: true,
        };
        // A town whose name breaks a field rule, or whose jittered point the
        // boundaries place elsewhere (at sea, across a disputed line), is
        // skipped: the sample imports without a warning.
        if let Ok(org) = draft.validate(reference, created)
            && reference.boundaries.placement(org.country, org.location) == Placement::Inside
        {
            out.push(org);
        }
    }
    out
}

fn round5(value: f64) -> f64 {
    (value * 1e5).round() / 1e5
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn same_seed_same_sample_and_every_class_present() {
        let r = crate::embedded_reference();
        let a = generate_sample(&r, 800, 7);
        assert_eq!(a, generate_sample(&r, 800, 7));
        assert_ne!(a, generate_sample(&r, 800, 8));
        assert_eq!(a.len(), 800);
        let continents: HashSet<_> = a.iter().map(|o| o.continent.as_str()).collect();
        assert_eq!(continents.len(), 6);
        let families: HashSet<_> = a.iter().map(|o| o.family.as_str()).collect();
        assert_eq!(families.len(), 10);
        let sectors: HashSet<_> =
            a.iter().flat_map(|o| o.sectors.iter().map(impactmap_model::TermKey::as_str)).collect();
        assert_eq!(sectors.len(), r.taxonomy.terms(Facet::Sector).len() - 1);
        assert!(a.iter().all(|o| o.sample
            && o.name.ends_with("(sample)")
            && o.provenance.source == SAMPLE_SOURCE));
    }
}
