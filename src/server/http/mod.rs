//! HTTP: the router with its middleware, the accept loop under it, and the JSON answer endpoint for integrators.

mod accept;
pub mod answer_api;
mod caching;
mod pwa;
pub mod serve;
