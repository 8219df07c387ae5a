//! The Atlas against brute force: boxes, radii, nearest neighbours, filters
//! and cluster counts, over random data with poles, the antimeridian and
//! piles of duplicates (RELIABILITY P3).

#![allow(
    clippy::unwrap_used,
    reason = "a test that cannot go on should stop loudly, helpers included"
)]

use impactmap_formats::embedded_reference;
use impactmap_index::{
    Atlas, AtlasOptions, BBox, ClusterOptions, Filter, Selection, TextQuery, haversine_m,
};
use impactmap_model::{
    CountryCode, LonLat, MercRect, OrgId, Organisation, Provenance, Reference, SdgSet, TermKey,
};
use proptest::prelude::*;

const CONTINENTS: [&str; 6] =
    ["africa", "asia", "europe", "north-america", "latin-america-caribbean", "oceania"];
const FAMILIES: [&str; 4] = ["cooperative", "mutual", "association", "network"];
const SECTORS: [&str; 5] = ["finance", "housing", "health-social", "education", "culture"];
const COUNTRIES: [&str; 4] = ["FR", "SN", "BR", "NZ"];

fn key(s: &str) -> TermKey {
    TermKey::try_from(s.to_owned()).unwrap()
}

fn org(i: usize, lon: f64, lat: f64, tag: u32) -> Organisation {
    let t = tag as usize;
    let now = jiff::Timestamp::UNIX_EPOCH;
    Organisation {
        id: OrgId::from_provenance("t", &i.to_string()),
        name: format!("Org {i} {}", ["Alpha", "Bêta", "Gamma"][t % 3]),
        description: String::new(),
        website: None,
        email: None,
        country: CountryCode::parse(COUNTRIES[t % 4]).unwrap(),
        city: ["Lyon", "Dakar", "Recife"][t % 3].into(),
        continent: key(CONTINENTS[t % 6]),
        family: key(FAMILIES[t % 4]),
        sectors: vec![key(SECTORS[t % 5]), key(SECTORS[(t / 5) % 5])],
        sdgs: SdgSet::from_goals([1 + tag % 17]).unwrap(),
        location: LonLat::new(lon, lat).unwrap(),
        provenance: Provenance { source: "t".into(), source_id: i.to_string() },
        created: now,
        updated: now,
        submitted: None,
        sample: true,
    }
}

fn lon() -> impl Strategy<Value = f64> {
    prop_oneof![-180.0f64..=180.0, 179.0f64..=180.0, -180.0f64..=-179.0]
}

fn lat() -> impl Strategy<Value = f64> {
    prop_oneof![-89.0f64..=89.0, 88.0f64..=90.0, -90.0f64..=-88.0, Just(0.5)]
}

/// Random organisations, some stacked on one spot.
fn dataset() -> impl Strategy<Value = Vec<Organisation>> {
    (proptest::collection::vec((lon(), lat(), 0u32..1000), 0..300), 0usize..20).prop_map(
        |(points, dupes)| {
            let mut orgs: Vec<Organisation> = points
                .iter()
                .enumerate()
                .filter(|(_, p)| p.0 != 0.0 || p.1 != 0.0)
                .map(|(i, &(x, y, t))| org(i, x, y, t))
                .collect();
            if let Some(first) = points.first().filter(|p| p.0 != 0.0 || p.1 != 0.0) {
                orgs.extend((0..dupes).map(|d| org(10_000 + d, first.0, first.1, first.2 + 1)));
            }
            orgs
        },
    )
}

const WORLD: MercRect = MercRect { min_x: 0.0, min_y: 0.0, max_x: 1.0, max_y: 1.0 };

static REFERENCE: std::sync::LazyLock<Reference> = std::sync::LazyLock::new(embedded_reference);

fn atlas(orgs: &[Organisation]) -> Atlas {
    Atlas::build(
        orgs.iter().cloned().map(Into::into),
        &REFERENCE.taxonomy,
        AtlasOptions {
            clusters: ClusterOptions { max_zoom: 10, ..ClusterOptions::default() },
            ..AtlasOptions::default()
        },
        1,
    )
}

fn all(atlas: &Atlas) -> Selection {
    Selection::All(u32::try_from(atlas.len()).unwrap())
}

fn brute_near(atlas: &Atlas, at: LonLat, radius: Option<f64>, k: Option<usize>) -> Vec<u32> {
    let mut hits: Vec<(f64, u32)> = (0..u32::try_from(atlas.len()).unwrap())
        .map(|i| {
            (haversine_m(at.lon(), at.lat(), atlas.location(i).lon(), atlas.location(i).lat()), i)
        })
        .filter(|(d, _)| radius.is_none_or(|r| *d <= r))
        .collect();
    hits.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    hits.truncate(k.unwrap_or(usize::MAX));
    hits.into_iter().map(|(_, i)| i).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Entries come out in id order, each as it went in, and found by its id.
    #[test]
    fn entries_read_back_in_id_order(orgs in dataset()) {
        let atlas = atlas(&orgs);
        let mut want: Vec<&Organisation> = orgs.iter().collect();
        want.sort_by(|a, b| a.id.cmp(&b.id));
        want.dedup_by(|a, b| a.id == b.id);
        prop_assert_eq!(atlas.len(), want.len());
        for (i, org) in (0u32..).zip(want) {
            let e = atlas.entry(i);
            prop_assert_eq!(
                (e.id, e.name, e.city, e.country, e.location),
                (org.id.as_str(), org.name.as_str(), org.city.as_str(), org.country, org.location)
            );
            prop_assert_eq!(e.sdgs, org.sdgs);
            prop_assert_eq!(atlas.location(i), org.location);
            prop_assert_eq!(atlas.find(&org.id).map(|(index, _)| index), Some(i));
        }
    }

    /// Word search finds exactly the entries with a name or town word starting with the query.
    #[test]
    fn search_equals_brute_force(
        orgs in dataset(),
        prefix in prop_oneof![
            Just("b"), Just("Bêta"), Just("gam"), Just("LY"), Just("org"), Just("1"), Just("zz")
        ],
    ) {
        let atlas = atlas(&orgs);
        let mut got = atlas.search(&TextQuery::new(prefix, |_| None), &all(&atlas), usize::MAX);
        got.sort_unstable();
        let wanted = impactmap_model::fold(prefix);
        let want: Vec<u32> = (0..u32::try_from(atlas.len()).unwrap())
            .filter(|&i| {
                let e = atlas.entry(i);
                e.name
                    .split_whitespace()
                    .chain(e.city.split_whitespace())
                    .any(|w| impactmap_model::fold(w).starts_with(&wanted))
            })
            .collect();
        prop_assert_eq!(got, want);
    }

    /// `q` has one meaning: a filter's text selects exactly what the
    /// search finds, word prefixes and country names alike, in any order.
    #[test]
    fn a_text_filter_selects_what_search_finds(
        orgs in dataset(),
        words in proptest::collection::vec(
            prop_oneof![
                Just("b"), Just("Bêta"), Just("gam"), Just("ly"), Just("org"), Just("1"),
                Just("Sénégal"), Just("Nouvelle-Zélande"), Just("zz")
            ],
            1..3,
        ),
    ) {
        let atlas = atlas(&orgs);
        let country_of = |w: &str| match impactmap_model::fold(w).as_str() {
            "senegal" => CountryCode::parse("SN").ok(),
            "nouvellezelande" | "zelande" => CountryCode::parse("NZ").ok(),
            _ => None,
        };
        let query = TextQuery::new(&words.join(" "), country_of);
        let mut found = atlas.search(&query, &all(&atlas), usize::MAX);
        found.sort_unstable();
        let selected: Vec<u32> =
            atlas.select(&Filter { text: query, ..Filter::default() }).unwrap().iter().collect();
        prop_assert_eq!(selected, found);
    }

    /// RELIABILITY A4, P3.
    #[test]
    fn bbox_equals_brute_force(orgs in dataset(), w in lon(), e in lon(), s in lat(), n in lat()) {
        let atlas = atlas(&orgs);
        let (s, n) = (s.min(n), s.max(n));
        let bbox = BBox::new(w, s, e, n).unwrap();
        let got = atlas.bbox(&bbox, &all(&atlas));
        let want: Vec<u32> = (0..u32::try_from(atlas.len()).unwrap())
            .filter(|&i| bbox.contains(atlas.location(i).lon(), atlas.location(i).lat()))
            .collect();
        prop_assert_eq!(got, want);
    }

    /// RELIABILITY P4.
    #[test]
    fn near_equals_brute_force(
        orgs in dataset(),
        x in lon(),
        y in lat(),
        radius_km in 0.0f64..25_000.0,
        k in 0usize..40,
        mode in 0u8..3,
    ) {
        let atlas = atlas(&orgs);
        let at = LonLat::new(x, if x == 0.0 && y == 0.0 { 1.0 } else { y }).unwrap();
        let (radius, k) = match mode {
            0 => (Some(radius_km * 1000.0), None),
            1 => (None, Some(k)),
            _ => (Some(radius_km * 1000.0), Some(k)),
        };
        let got: Vec<u32> =
            atlas.near(at, radius, k, &all(&atlas)).unwrap().into_iter().map(|h| h.index).collect();
        prop_assert_eq!(got, brute_near(&atlas, at, radius, k));
    }

    #[test]
    fn filters_equal_brute_force(
        orgs in dataset(),
        c in 0usize..6,
        f in 0usize..4,
        sector in 0usize..5,
        use_text in any::<bool>(),
    ) {
        let atlas = atlas(&orgs);
        let filter = Filter {
            continents: vec![key(CONTINENTS[c]), key(CONTINENTS[(c + 1) % 6])],
            families: vec![key(FAMILIES[f])],
            sectors: vec![key(SECTORS[sector])],
            text: if use_text { TextQuery::new("BETA", |_| None) } else { TextQuery::default() },
            ..Filter::default()
        };
        let got: Vec<u32> = atlas.select(&filter).unwrap().iter().collect();
        let keys = |facet| atlas.keys(facet).to_vec();
        let (cont, fam, sec) = (
            keys(impactmap_model::Facet::Continent),
            keys(impactmap_model::Facet::Family),
            keys(impactmap_model::Facet::Sector),
        );
        let want: Vec<u32> = (0..u32::try_from(atlas.len()).unwrap()).filter(|&i| {
            let e = atlas.entry(i);
            filter.continents.contains(&cont[usize::from(e.continent)])
                && filter.families.contains(&fam[usize::from(e.family)])
                && (0..sec.len())
                    .any(|b| e.sectors & (1 << b) != 0 && filter.sectors.contains(&sec[b]))
                && (!use_text || e.name.contains("Bêta"))
        }).collect();
        prop_assert_eq!(got, want);
    }

    /// At every zoom, the clusters of the whole world count every selected
    /// organisation once, per continent, family and sector too.
    /// RELIABILITY P2.
    #[test]
    fn clusters_count_everyone_once(orgs in dataset(), sector in 0usize..5) {
        let atlas = atlas(&orgs);
        let by_sector = Filter { sectors: vec![key(SECTORS[sector])], ..Filter::default() };
        for filter in [Filter::default(), by_sector] {
            let selection = atlas.select(&filter).unwrap();
            let view = atlas.view(&filter).unwrap();
            let mut expected = vec![
                0u32;
                atlas.keys(impactmap_model::Facet::Continent).len()
                    + atlas.keys(impactmap_model::Facet::Family).len()
                    + atlas.keys(impactmap_model::Facet::Sector).len()
            ];
            let (nc, nf) = (
                atlas.keys(impactmap_model::Facet::Continent).len(),
                atlas.keys(impactmap_model::Facet::Family).len(),
            );
            for i in &selection {
                let e = atlas.entry(i);
                expected[usize::from(e.continent)] += 1;
                expected[nc + usize::from(e.family)] += 1;
                for b in 0..16 { if e.sectors & (1 << b) != 0 { expected[nc + nf + b] += 1; } }
            }
            for zoom in 0..=12u8 {
                let views = view.clusters(zoom, WORLD);
                prop_assert_eq!(
                    views.iter().map(|v| u64::from(v.count)).sum::<u64>(),
                    selection.len(),
                    "zoom {}",
                    zoom
                );
                let mut counts = vec![0u32; expected.len()];
                for v in &views {
                    for (dim, n) in v.counts() { counts[dim] += n; }
                    if let Some(x) = v.expansion_zoom {
                        prop_assert!(x > zoom.min(10) && x <= 11, "expansion {} at {}", x, zoom);
                    }
                    prop_assert!(v.bbox[0] <= v.bbox[2] && v.bbox[1] <= v.bbox[3]);
                }
                prop_assert_eq!(&counts, &expected, "zoom {}", zoom);
                let lone: Vec<u32> = views.iter().filter_map(|v| v.entry).collect();
                let mut unique = lone.clone();
                unique.sort_unstable();
                unique.dedup();
                prop_assert_eq!(unique.len(), lone.len());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// H3 counts for a tile-sized rectangle (kept with the pyramid up to
    /// H3_KEPT_RES, counted from the entries near the rectangle above it)
    /// equal the counts of every entry of the world, cell by cell, and miss
    /// no cell whose centre lies in the rectangle.
    #[test]
    fn h3_near_a_rectangle_counts_as_the_whole_world(
        orgs in dataset(),
        res in 0u8..=10,
        pick in any::<proptest::sample::Index>(),
        size in -6.0f64..-0.5,
    ) {
        use h3o::{CellIndex, LatLng, Resolution};
        prop_assume!(!orgs.is_empty());
        let atlas = atlas(&orgs);
        let view = atlas.view(&Filter::default()).unwrap();
        let resolution = Resolution::try_from(res).unwrap();
        let cell_of = |at: LonLat| {
            let cell = LatLng::new(at.lat(), at.lon()).unwrap().to_cell(Resolution::Ten);
            u64::from(cell.parent(resolution).unwrap())
        };
        let mut brute: std::collections::HashMap<u64, (u32, [u32; 32])> =
            std::collections::HashMap::new();
        for i in 0..u32::try_from(atlas.len()).unwrap() {
            let entry = brute.entry(cell_of(atlas.location(i))).or_insert((0, [0; 32]));
            entry.0 += 1;
            for (bit, n) in entry.1.iter_mut().enumerate() {
                *n += (atlas.entry(i).sectors >> bit) & 1;
            }
        }
        let centre = impactmap_model::MercPoint::from_lon_lat(
            orgs[pick.index(orgs.len())].location.lon(),
            orgs[pick.index(orgs.len())].location.lat(),
        );
        let half = 10f64.powf(size);
        let rect = [centre.x - half, centre.y - half, centre.x + half, centre.y + half];
        let bins = view.h3_in(
            res,
            MercRect { min_x: rect[0], min_y: rect[1], max_x: rect[2], max_y: rect[3] },
        );
        let mut seen = std::collections::HashSet::new();
        for bin in bins.bins() {
            let (count, sectors) = brute.get(&bin.cell).copied().unwrap_or_default();
            prop_assert_eq!(bin.count, count, "cell {:x}", bin.cell);
            prop_assert_eq!(
                bins.sector_counts(bin),
                &sectors[..bins.sectors()],
                "cell {:x}",
                bin.cell
            );
            prop_assert!(seen.insert(bin.cell), "cell {:x} twice", bin.cell);
        }
        for cell in brute.keys() {
            let ll = LatLng::from(CellIndex::try_from(*cell).unwrap());
            let p = impactmap_model::MercPoint::from_lon_lat(ll.lng(), ll.lat());
            if (rect[0]..=rect[2]).contains(&p.x) && (rect[1]..=rect[3]).contains(&p.y) {
                prop_assert!(
                    seen.contains(cell),
                    "cell {:x} centred in the rectangle is missing",
                    cell
                );
            }
        }
    }
}

#[test]
fn unknown_filter_values_are_named() {
    let atlas = atlas(&[org(1, 2.0, 48.0, 0)]);
    let err =
        atlas.select(&Filter { sectors: vec![key("alchemy")], ..Filter::default() }).unwrap_err();
    assert_eq!(err.to_string(), "sector: unknown value 'alchemy'");
    let err = atlas.select(&Filter { sdgs: vec![18], ..Filter::default() }).unwrap_err();
    assert_eq!(err.to_string(), "sdg: unknown value '18'");
}

#[test]
fn clusters_merge_near_points_and_split_at_their_expansion_zoom() {
    // Two organisations 1 km apart in Dakar, one in Paris.
    let orgs = [org(1, -17.44, 14.69, 0), org(2, -17.43, 14.69, 1), org(3, 2.35, 48.85, 2)];
    let atlas = atlas(&orgs);
    let view = atlas.view(&Filter::default()).unwrap();
    let world = |z| view.clusters(z, WORLD);
    let z2 = world(2);
    assert_eq!(z2.len(), 2);
    let cluster = z2.iter().find(|v| v.count == 2).unwrap();
    let zoom = cluster.expansion_zoom.unwrap();
    assert!(world(zoom).iter().all(|v| v.count == 1), "split at {zoom}");
    assert!(world(zoom - 1).iter().any(|v| v.count == 2));
    assert!((cluster.bbox[0] + 17.44).abs() < 1e-4 && (cluster.bbox[2] + 17.43).abs() < 1e-4);
}
