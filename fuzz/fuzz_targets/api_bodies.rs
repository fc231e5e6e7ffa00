//! Fuzzes the JSON bodies the API parses (commands, appointments, check-in, sign-in): parsing
//! never panics, and whatever parses serialises back to JSON that parses to the same value.
#![no_main]

use clinicflow::api_types::{CheckInRequest, NewAppointment, SignIn};
use clinicflow::domain::Command;
use libfuzzer_sys::fuzz_target;

fn round_trips<T: serde::de::DeserializeOwned + serde::Serialize>(bytes: &[u8]) {
    if let Ok(value) = serde_json::from_slice::<T>(bytes) {
        let json = serde_json::to_value(&value).expect("a parsed body serialises");
        let again: T = serde_json::from_value(json.clone()).expect("a serialised body parses");
        assert_eq!(serde_json::to_value(&again).expect("serialises"), json);
    }
}

fuzz_target!(|bytes: &[u8]| {
    round_trips::<Command>(bytes);
    round_trips::<NewAppointment>(bytes);
    round_trips::<CheckInRequest>(bytes);
    round_trips::<SignIn>(bytes);
});
