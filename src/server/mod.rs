//! Everything that only runs on the server: configuration, state, storage, providers, identity and the chat turn.

mod accept;
pub mod answer_api;
pub mod config;
pub mod conversations;
pub mod error;
pub mod export;
pub mod follow_ups;
pub mod identity;
pub mod limits;
pub mod llm;
pub mod markdown;
pub mod mock_upstream;
pub mod prompt;
pub mod provider_config;
pub mod serve;
pub mod state;
pub mod store;
pub mod titles;
pub mod turn;
pub mod validation;
