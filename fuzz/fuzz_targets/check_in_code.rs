//! Fuzzes the check-in code parser with whatever a scanner or a person might type: it never
//! panics, and every code it accepts prints back to the same code in each printed form.
#![no_main]

use clinicflow::domain::CheckInCode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    if let Ok(code) = CheckInCode::parse(input) {
        assert_eq!(CheckInCode::parse(&code.to_string()), Ok(code));
        assert_eq!(CheckInCode::parse(&code.compact()), Ok(code));
        assert_eq!(CheckInCode::parse(&format!("https://hub.example{}", code.url_path())), Ok(code));
    }
});
