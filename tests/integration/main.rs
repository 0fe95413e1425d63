//! The integration tests, as one test binary: each module is one capability, driven against the real server on
//! 127.0.0.1 (port 0), a real mock of the OpenAI streaming API and the database the run asks for
//! (`TALLY_TEST_DATABASE`: SQLite by default, or PostgreSQL). One binary links the crate once instead of once per
//! file, which is most of the build time of the suite on a small machine.

mod support;

mod account_pages;
mod accounts;
mod admin;
mod api_statuses;
mod authorization;
mod branches;
mod chat_turn;
mod conversations;
mod embedded_model;
mod grounding;
mod guests;
mod languages;
mod live_answers;
mod openai_api;
mod pages;
mod privacy;
mod providers;
mod rest_api;
mod sharing;
