//! The exact calculators.
