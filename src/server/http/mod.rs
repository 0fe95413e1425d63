//! HTTP: the router with its middleware, the accept loop under it, the JSON answer endpoint for integrators and the
//! public REST API (`rest`).

mod accept;
pub mod answer_api;
mod caching;
mod cookies;
pub mod openai;
mod pwa;
pub mod rest;
pub mod serve;
