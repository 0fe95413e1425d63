//! Who is asking: today's signed guest cookie, and the limits each caller's turns are held to.

pub mod guest;
pub mod limits;
