//! Everything that only runs on the server, grouped by domain. Dependencies point one way: `http` (routes) and
//! `api` reach `chat`, `identity` and `tax`, which reach `store` and `llm`; none of the lower parts imports a higher
//! one. [`state::AppState`] is where they meet: it builds each part and hands it the narrow handles it needs.

pub mod admin;
pub mod chat;
pub mod config;
pub mod error;
pub mod http;
pub mod identity;
pub mod llm;
pub mod mock_upstream;
pub mod state;
pub mod store;
pub mod tax;
