//! Built-in classroom scenarios for Kafka.

use crate::descriptor::BuiltIn;

/// The built-in scenarios, in menu order.
pub const SCENARIOS: &[BuiltIn] = &[];
