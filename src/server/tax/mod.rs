//! Grounded tax answers: the knowledge base and its search index, the year's parameters and the exact calculators,
//! and the caller's tax profile.

pub mod calc;
pub mod params;
