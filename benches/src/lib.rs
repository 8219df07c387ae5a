//! Criterion benchmarks of impactmap live in `benches/`; this library is empty
//! so that the package can hold them. Figures and the machine: `README.md`.
