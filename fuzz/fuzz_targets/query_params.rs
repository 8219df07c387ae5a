//! RELIABILITY A3–A5: any query string on any read route is an answer or a
//! short JSON 4xx naming what it refused, never a 5xx.
#![no_main]

use libfuzzer_sys::fuzz_target;

const ROUTES: [&str; 9] = [
    "/api/near",
    "/api/organisations",
    "/api/stats",
    "/api/stats/h3",
    "/api/search",
    "/api/places",
    "/ogc/collections/organisations/items",
    "/tiles/3/4/3.mvt",
    "/tiles.json",
];

fuzz_target!(init: { impactmap_fuzz::service(); }, |input: (u8, &str)| {
    let (route, query) = input;
    let uri = format!("{}?{query}", ROUTES[usize::from(route) % ROUTES.len()]);
    let Some(answer) = impactmap_fuzz::service().send("GET", &uri, None, Vec::new()) else {
        return;
    };
    impactmap_fuzz::check_answer(&uri, &answer);
});
