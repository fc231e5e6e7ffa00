//! A call's sound, generated in the browser (no audio file): the lobby TV and a patient's phone
//! play it when a patient is called.

/// Two soft tones (E5, C5) from the Web Audio API, and a count on `<body data-chimes>` so a
/// test can see the sound was started. A TV's browser plays it only if it may play sound
/// without a tap (Chromium: `--autoplay-policy=no-user-gesture-required`; see the README).
#[cfg(target_arch = "wasm32")]
pub fn chime() {
    thread_local! {
        static AUDIO: Option<web_sys::AudioContext> = web_sys::AudioContext::new().ok();
    }
    let played = AUDIO.with(|audio| -> Option<()> {
        let context = audio.as_ref()?;
        let _ = context.resume();
        let gain = context.create_gain().ok()?;
        gain.connect_with_audio_node(&context.destination()).ok()?;
        let start = context.current_time();
        let volume = gain.gain();
        volume.set_value_at_time(0.0, start).ok()?;
        volume
            .linear_ramp_to_value_at_time(0.3, start + 0.03)
            .ok()?;
        volume
            .exponential_ramp_to_value_at_time(0.001, start + 1.4)
            .ok()?;
        for (index, frequency) in [659.25_f32, 523.25].into_iter().enumerate() {
            let tone = context.create_oscillator().ok()?;
            tone.set_type(web_sys::OscillatorType::Sine);
            tone.frequency().set_value(frequency);
            tone.connect_with_audio_node(&gain).ok()?;
            let at = start + index as f64 * 0.45;
            tone.start_with_when(at).ok()?;
            tone.stop_with_when(at + 0.9).ok()?;
        }
        Some(())
    });
    if played.is_some() {
        let body = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body());
        if let Some(body) = body {
            let dataset = body.dataset();
            let count = dataset
                .get("chimes")
                .and_then(|c| c.parse::<u32>().ok())
                .unwrap_or(0);
            let _ = dataset.set("chimes", &(count + 1).to_string());
        }
    }
}

/// The server renders no sound.
#[cfg(not(target_arch = "wasm32"))]
pub fn chime() {}
