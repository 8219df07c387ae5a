//! RELIABILITY A1: any text after `/tiles/` is a tile, a 204, or a short
//! JSON 4xx; an accepted tile has z ≤ 22 and x, y < 2^z.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(init: { impactmap_fuzz::service(); }, |path: &str| {
    let uri = format!("/tiles/{path}");
    let Some(answer) = impactmap_fuzz::service().send("GET", &uri, None, Vec::new()) else {
        return;
    };
    impactmap_fuzz::check_answer(&uri, &answer);
    if answer.status.is_success() {
        // The router reads each segment percent-decoded (`%31` is `1`), as URLs have it.
        let path = path.split(['?', '#']).next().unwrap_or("");
        let decoded: Vec<String> = path
            .split('/')
            .map(|s| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned())
            .collect();
        let parts: Vec<&str> = decoded.iter().map(|s| s.trim_end_matches(".mvt")).collect();
        let [z, x, y] = parts[..] else { panic!("{uri}: served, but not z/x/y") };
        let (z, x, y): (u32, u64, u64) =
            (z.parse().unwrap(), x.parse().unwrap(), y.parse().unwrap());
        assert!(z <= 22 && x < 1 << z && y < 1 << z, "{uri}: served an impossible tile");
    }
});
