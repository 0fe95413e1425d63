//! Who is asking: the [`caller::Caller`] every request resolves to (a guest by its signed cookie, or a user by a
//! server-side session), accounts and their sessions, the human check, and the limits each tier is held to.

pub mod accounts;
pub mod api;
pub mod caller;
pub mod device;
pub mod forms;
pub mod guest;
pub mod human_check;
pub mod limits;
pub mod origin;
pub mod password;
pub mod rules;
pub mod session;
pub mod throttle;
