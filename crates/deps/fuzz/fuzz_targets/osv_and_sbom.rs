#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = tollgate_deps::osv::Record::parse(data, false);
    let _ = tollgate_deps::osv::Record::parse(data, true);
    let _ = tollgate_deps::sbom::read(data);
    if let Ok(s) = std::str::from_utf8(data) {
        for eco in tollgate_deps::Ecosystem::ALL {
            let _ = tollgate_deps::version::compare(eco, s, "1.0.0");
        }
        let _ = tollgate_deps::purl::Purl::parse(s);
    }
});
