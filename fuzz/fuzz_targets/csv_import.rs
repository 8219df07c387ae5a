//! RELIABILITY A12, P7: any bytes read as Csv: see [`impactmap_fuzz::import_round_trip`].
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(init: { impactmap_fuzz::reference(); }, |bytes: &[u8]| {
    impactmap_fuzz::import_round_trip(impactmap_formats::Format::Csv, bytes)
});
