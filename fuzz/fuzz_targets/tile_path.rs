//! RELIABILITY A1: any text after `/tiles/` is a tile, a 204, or a short
//! JSON 4xx; an accepted tile has z ≤ 22 and x, y < 2^z.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(init: { impactmap_fuzz::service(); }, |path: &str| {
    let uri = format!("/tiles/{path}");
    let Some(answer) = impactmap_fuzz::service().send("GET", &uri, None, Vec::new()) else { return };
    impactmap_fuzz::check_answer(&uri, &answer);
    if answer.status.is_success() {
        let parts: Vec<&str> = path.split(['?', '#']).next().unwrap_or("").trim_end_matches(".mvt").split('/').collect();
        let [z, x, y] = parts[..] else { panic!("{uri}: served, but not z/x/y") };
        let (z, x, y): (u32, u64, u64) = (z.parse().unwrap(), x.parse().unwrap(), y.parse().unwrap());
        assert!(z <= 22 && x < 1 << z && y < 1 << z, "{uri}: served an impossible tile");
    }
});
