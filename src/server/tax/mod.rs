//! Grounded tax answers: the knowledge base and its search index, the year's parameters and the exact calculators,
//! and the caller's tax profile. [`Tax`] is the handle the chat turn and the calculators' endpoint take.

pub mod calc;
pub mod eval;
pub mod figures;
pub mod grounding;
pub mod index;
pub mod intent;
pub mod knowledge;
pub mod params;
pub mod profile;
pub mod service;
pub mod terms;

pub use grounding::GroundedQuestion;

/// The knowledge base's index and the years' parameters, loaded once at start.
pub struct Tax {
    pub index: index::Index,
    pub params: params::Parameters,
    /// The calculators as OpenAI function-calling tools, built once.
    pub tool_definitions: std::sync::Arc<serde_json::Value>,
}

impl Tax {
    /// Reads and checks the compiled-in knowledge base and parameters; fails start-up on any error in them.
    pub fn load() -> Result<Tax, String> {
        let passages = knowledge::load()?;
        let params = params::Parameters::load()?;
        Ok(Tax {
            index: index::Index::build(passages),
            params,
            tool_definitions: std::sync::Arc::new(calc::tool_definitions()),
        })
    }
}
