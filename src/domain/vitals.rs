//! Vital signs taken at rooming: checked against absolute limits (a value outside them is a
//! typo, refused with the limit named) and abnormal ranges (a real but worrying value: it needs
//! a confirming tap and raises a flag the provider and charge nurse see). Stored in SI units;
//! each measurement maps to its LOINC code and UCUM unit for FHIR Observations.

use serde::{Deserialize, Serialize};

/// One rooming's vitals, in SI units. Every measurement is optional (a child may not stand on a
/// scale); the reviews and the chief complaint are part of rooming too.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Vitals {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub systolic_mmhg: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diastolic_mmhg: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heart_rate_per_min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub respiratory_rate_per_min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature_c: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spo2_percent: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height_cm: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_kg: Option<f64>,
    /// 0–10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pain: Option<f64>,
    #[serde(default)]
    pub chief_complaint: String,
    #[serde(default)]
    pub allergies_reviewed: bool,
    #[serde(default)]
    pub medications_reviewed: bool,
}

/// Which measurement, with its limits, abnormal range, LOINC code and UCUM unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    Systolic,
    Diastolic,
    HeartRate,
    RespiratoryRate,
    Temperature,
    Spo2,
    Height,
    Weight,
    Pain,
}

/// A measurement outside its absolute limits: refused.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("{label} must be between {min} and {max} {unit}", label = measure.label(), unit = measure.unit_label())]
pub struct OutOfLimits {
    pub measure: Measure,
    pub min: f64,
    pub max: f64,
}

/// A real value the provider must know about (systolic ≥ 180, SpO2 < 92 %, …).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Abnormal {
    pub measure: Measure,
    pub value: f64,
}

impl std::fmt::Display for Abnormal {
    /// "Systolic 182 mmHg", "Temperature 39.4 °C", "SpO2 88 %".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let value = if self.value.fract() == 0.0 {
            format!("{}", self.value)
        } else {
            format!("{:.1}", self.value)
        };
        let unit = match self.measure {
            Measure::Pain => "of 10",
            other => other.unit_label(),
        };
        write!(f, "{} {value} {unit}", self.measure.label())
    }
}

struct Rule {
    measure: Measure,
    /// Absolute limits: outside is refused.
    limits: (f64, f64),
    /// Normal range: outside (inclusive bounds inside) is abnormal.
    normal: (f64, f64),
    loinc: &'static str,
    ucum: &'static str,
}

const RULES: [Rule; 9] = [
    Rule {
        measure: Measure::Systolic,
        limits: (40.0, 300.0),
        normal: (90.0, 179.0),
        loinc: "8480-6",
        ucum: "mm[Hg]",
    },
    Rule {
        measure: Measure::Diastolic,
        limits: (20.0, 200.0),
        normal: (50.0, 119.0),
        loinc: "8462-4",
        ucum: "mm[Hg]",
    },
    Rule {
        measure: Measure::HeartRate,
        limits: (20.0, 300.0),
        normal: (50.0, 120.0),
        loinc: "8867-4",
        ucum: "/min",
    },
    Rule {
        measure: Measure::RespiratoryRate,
        limits: (4.0, 80.0),
        normal: (10.0, 24.0),
        loinc: "9279-1",
        ucum: "/min",
    },
    Rule {
        measure: Measure::Temperature,
        limits: (25.0, 45.0),
        normal: (35.0, 37.9),
        loinc: "8310-5",
        ucum: "Cel",
    },
    Rule {
        measure: Measure::Spo2,
        limits: (50.0, 100.0),
        normal: (92.0, 100.0),
        loinc: "2708-6",
        ucum: "%",
    },
    Rule {
        measure: Measure::Height,
        limits: (30.0, 250.0),
        normal: (30.0, 250.0),
        loinc: "8302-2",
        ucum: "cm",
    },
    Rule {
        measure: Measure::Weight,
        limits: (0.5, 400.0),
        normal: (0.5, 400.0),
        loinc: "29463-7",
        ucum: "kg",
    },
    Rule {
        measure: Measure::Pain,
        limits: (0.0, 10.0),
        normal: (0.0, 10.0),
        loinc: "72514-3",
        ucum: "{score}",
    },
];

fn rule(measure: Measure) -> &'static Rule {
    RULES
        .iter()
        .find(|rule| rule.measure == measure)
        .expect("every measure has a rule")
}

impl Measure {
    pub fn label(self) -> &'static str {
        match self {
            Measure::Systolic => "Systolic blood pressure",
            Measure::Diastolic => "Diastolic blood pressure",
            Measure::HeartRate => "Heart rate",
            Measure::RespiratoryRate => "Respiratory rate",
            Measure::Temperature => "Temperature",
            Measure::Spo2 => "SpO2",
            Measure::Height => "Height",
            Measure::Weight => "Weight",
            Measure::Pain => "Pain",
        }
    }

    pub fn unit_label(self) -> &'static str {
        match self {
            Measure::Systolic | Measure::Diastolic => "mmHg",
            Measure::HeartRate | Measure::RespiratoryRate => "/min",
            Measure::Temperature => "°C",
            Measure::Spo2 => "%",
            Measure::Height => "cm",
            Measure::Weight => "kg",
            Measure::Pain => "(0–10)",
        }
    }

    pub fn loinc(self) -> &'static str {
        rule(self).loinc
    }

    pub fn ucum(self) -> &'static str {
        rule(self).ucum
    }
}

impl Vitals {
    /// Every measure with its value, if taken.
    pub fn values(&self) -> [(Measure, Option<f64>); 9] {
        [
            (Measure::Systolic, self.systolic_mmhg),
            (Measure::Diastolic, self.diastolic_mmhg),
            (Measure::HeartRate, self.heart_rate_per_min),
            (Measure::RespiratoryRate, self.respiratory_rate_per_min),
            (Measure::Temperature, self.temperature_c),
            (Measure::Spo2, self.spo2_percent),
            (Measure::Height, self.height_cm),
            (Measure::Weight, self.weight_kg),
            (Measure::Pain, self.pain),
        ]
    }

    /// Refuses values outside absolute limits (and a diastolic not below the systolic); answers
    /// the abnormal ones.
    pub fn check(&self) -> Result<Vec<Abnormal>, VitalsError> {
        let mut abnormal = Vec::new();
        for (measure, value) in self.values() {
            let Some(value) = value else { continue };
            let rule = rule(measure);
            if !value.is_finite() || value < rule.limits.0 || value > rule.limits.1 {
                return Err(VitalsError::OutOfLimits(OutOfLimits {
                    measure,
                    min: rule.limits.0,
                    max: rule.limits.1,
                }));
            }
            if value < rule.normal.0 || value > rule.normal.1 {
                abnormal.push(Abnormal { measure, value });
            }
        }
        if let (Some(systolic), Some(diastolic)) = (self.systolic_mmhg, self.diastolic_mmhg) {
            if diastolic >= systolic {
                return Err(VitalsError::DiastolicNotBelowSystolic);
            }
        }
        if self.systolic_mmhg.is_some() != self.diastolic_mmhg.is_some() {
            return Err(VitalsError::HalfABloodPressure);
        }
        if self.chief_complaint.trim().len() > 500 {
            return Err(VitalsError::ComplaintTooLong);
        }
        Ok(abnormal)
    }

    /// Body-mass index (kg/m²) from height and weight, one decimal.
    pub fn bmi(&self) -> Option<f64> {
        let (height, weight) = (self.height_cm?, self.weight_kg?);
        let metres = height / 100.0;
        Some((weight / (metres * metres) * 10.0).round() / 10.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum VitalsError {
    #[error(transparent)]
    OutOfLimits(OutOfLimits),
    #[error("the diastolic pressure must be lower than the systolic")]
    DiastolicNotBelowSystolic,
    #[error("a blood pressure needs both the systolic and the diastolic value")]
    HalfABloodPressure,
    #[error("the chief complaint is limited to 500 characters")]
    ComplaintTooLong,
}

/// °F as typed → °C as stored.
pub fn fahrenheit_to_celsius(fahrenheit: f64) -> f64 {
    (fahrenheit - 32.0) * 5.0 / 9.0
}

pub fn celsius_to_fahrenheit(celsius: f64) -> f64 {
    celsius * 9.0 / 5.0 + 32.0
}

pub fn inches_to_cm(inches: f64) -> f64 {
    inches * 2.54
}

pub fn pounds_to_kg(pounds: f64) -> f64 {
    pounds * 0.453_592_37
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normal() -> Vitals {
        Vitals {
            systolic_mmhg: Some(128.0),
            diastolic_mmhg: Some(82.0),
            heart_rate_per_min: Some(72.0),
            respiratory_rate_per_min: Some(16.0),
            temperature_c: Some(36.8),
            spo2_percent: Some(98.0),
            height_cm: Some(170.0),
            weight_kg: Some(70.0),
            pain: Some(2.0),
            chief_complaint: "Cough".into(),
            allergies_reviewed: true,
            medications_reviewed: true,
        }
    }

    #[test]
    fn normal_values_pass_and_bmi_is_computed() {
        assert_eq!(normal().check(), Ok(vec![]));
        assert_eq!(normal().bmi(), Some(24.2));
        assert_eq!(Vitals::default().check(), Ok(vec![]));
    }

    #[test]
    fn values_outside_absolute_limits_are_refused_naming_the_limit() {
        let typo = Vitals {
            heart_rate_per_min: Some(720.0),
            ..normal()
        };
        let error = typo.check().unwrap_err();
        assert_eq!(
            error.to_string(),
            "Heart rate must be between 20 and 300 /min"
        );
        let inverted = Vitals {
            systolic_mmhg: Some(80.0),
            diastolic_mmhg: Some(120.0),
            ..normal()
        };
        assert_eq!(
            inverted.check(),
            Err(VitalsError::DiastolicNotBelowSystolic)
        );
        let half = Vitals {
            diastolic_mmhg: None,
            ..normal()
        };
        assert_eq!(half.check(), Err(VitalsError::HalfABloodPressure));
        let nan = Vitals {
            temperature_c: Some(f64::NAN),
            ..normal()
        };
        assert!(nan.check().is_err());
    }

    #[test]
    fn worrying_values_are_abnormal() {
        let crisis = Vitals {
            systolic_mmhg: Some(182.0),
            diastolic_mmhg: Some(95.0),
            spo2_percent: Some(89.0),
            temperature_c: Some(fahrenheit_to_celsius(101.3)),
            ..normal()
        };
        let measures: Vec<Measure> = crisis.check().unwrap().iter().map(|a| a.measure).collect();
        assert_eq!(
            measures,
            vec![Measure::Systolic, Measure::Temperature, Measure::Spo2]
        );
    }

    #[test]
    fn an_abnormal_value_reads_with_its_unit() {
        let high = Abnormal {
            measure: Measure::Systolic,
            value: 182.0,
        };
        assert_eq!(high.to_string(), "Systolic blood pressure 182 mmHg");
        let fever = Abnormal {
            measure: Measure::Temperature,
            value: 39.44,
        };
        assert_eq!(fever.to_string(), "Temperature 39.4 °C");
    }

    #[test]
    fn units_convert_to_si_and_codes_are_loinc() {
        assert!((fahrenheit_to_celsius(98.6) - 37.0).abs() < 1e-9);
        assert!((celsius_to_fahrenheit(37.0) - 98.6).abs() < 1e-9);
        assert!((inches_to_cm(70.0) - 177.8).abs() < 1e-9);
        assert!((pounds_to_kg(154.0) - 69.853_225).abs() < 1e-6);
        assert_eq!(Measure::Systolic.loinc(), "8480-6");
        assert_eq!(Measure::Spo2.loinc(), "2708-6");
        assert_eq!(Measure::Temperature.ucum(), "Cel");
    }
}
