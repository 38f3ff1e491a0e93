//! Fuzz target: byte offsets ↔ line/column positions, on strings and ropes, in UTF-8 and UTF-16,
//! round trip and clamp. The check is `wikils::fuzzing::check_positions`, which the seeded test
//! `text::tests::seeded_bytes_pass_the_positions_fuzz_check` runs under `cargo test` too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    wikils::fuzzing::check_positions(data);
});
