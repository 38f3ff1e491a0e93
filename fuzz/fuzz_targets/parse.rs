//! Fuzz target: any bytes, parsed in both flavors and turned into facts, never panic and give
//! well-formed, deterministic results. The check is `wikils::fuzzing::check_parse`, which the
//! seeded test `syntax::tests::random` runs under `cargo test` too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    wikils::fuzzing::check_parse(data);
});
