//! Drives the real `feedsplit` binary, one file per command, and reads what it writes the way
//! feed readers and browsers do. Helpers live in `util`.

mod util;

mod classify;
mod conventions;
mod convert;
mod eval;
mod reader;
mod run;
mod serve;
