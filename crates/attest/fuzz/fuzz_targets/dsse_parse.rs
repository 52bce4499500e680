//! DSSE envelope and in-toto Statement parsing never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(env) = tollgate_attest::dsse::Envelope::from_json(data) {
        let _ = tollgate_attest::dsse::pae(&env.payload_type, &env.payload);
        let _ = tollgate_attest::Statement::from_json(&env.payload);
    }
    let _ = tollgate_attest::Statement::from_json(data);
});
