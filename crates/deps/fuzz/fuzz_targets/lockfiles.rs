#![no_main]
use libfuzzer_sys::fuzz_target;
use tollgate_deps::parse::{Format, NoSiblings, parse};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let format = Format::ALL[selector as usize % Format::ALL.len()];
    let _ = parse(format, "requirements.txt", text, &NoSiblings);
});
