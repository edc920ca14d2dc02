pub mod classify;
pub mod cli;
pub mod extract;
pub mod input;
pub mod pipeline;
pub mod rules;
pub mod write;
