//! Fuzzes the check-in code parser with whatever a scanner or a person might type: it never
//! panics, every code it accepts (old ones with `*`, `~`, `$`, `=`, `U` too) prints back to the
//! same code in each printed form, and every code made from random bits is letters and digits.
#![no_main]

use clinicflow::domain::CheckInCode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    if let Ok(code) = CheckInCode::parse(input) {
        assert_eq!(CheckInCode::parse(&code.to_string()), Ok(code));
        assert_eq!(CheckInCode::parse(&code.compact()), Ok(code));
        assert_eq!(CheckInCode::parse(&format!("https://hub.example{}", code.url_path())), Ok(code));
    }
    let bits = input.bytes().fold(0u64, |bits, b| bits.rotate_left(5) ^ u64::from(b));
    let made = CheckInCode::from_random(bits);
    assert!(made.compact().bytes().all(|b| b.is_ascii_alphanumeric() && b != b'U'));
    assert_eq!(CheckInCode::parse(&made.to_string()), Ok(made));
});
