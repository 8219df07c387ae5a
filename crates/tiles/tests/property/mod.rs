//! A property value to draw features from, and what it should decode to:
//! proptest draws it in `layer.rs`, and the fuzz target
//! `fuzz/fuzz_targets/mvt_encode.rs` includes this file to draw it with
//! arbitrary. One copy, so that both hold the encoder to the same answers.

use impactmap_tiles::PropertyValue;
use mvt_reader::feature::Value;

/// A property value that owns its string.
#[derive(Debug, Clone)]
// Only the fuzz target, built without cfg(test), has arbitrary.
#[cfg_attr(not(test), derive(arbitrary::Arbitrary))]
pub enum Prop {
    Str(String),
    Uint(u64),
    Int(i64),
    Double(f64),
    Float(f32),
    Bool(bool),
}

impl Prop {
    /// The value as the encoder takes it.
    pub fn as_value(&self) -> PropertyValue<'_> {
        match self {
            Self::Str(s) => PropertyValue::Str(s),
            Self::Uint(n) => PropertyValue::Uint(*n),
            Self::Int(n) => PropertyValue::Int(*n),
            Self::Double(d) => PropertyValue::Double(*d),
            Self::Float(f) => PropertyValue::Float(*f),
            Self::Bool(b) => PropertyValue::Bool(*b),
        }
    }

    /// The value as mvt-reader should decode it: signed integers are written
    /// as MVT's zigzag `sint`.
    pub fn decoded(&self) -> Value {
        match self {
            Self::Str(s) => Value::String(s.clone()),
            Self::Uint(n) => Value::UInt(*n),
            Self::Int(n) => Value::SInt(*n),
            Self::Double(d) => Value::Double(*d),
            Self::Float(f) => Value::Float(*f),
            Self::Bool(b) => Value::Bool(*b),
        }
    }
}
