//! Dockerfile / Containerfile: the parser ([`parse`]), a small shell reader for `RUN`
//! ([`shell`]) and the rules ([`rules`]).

pub mod parse;
pub mod rules;
pub mod shell;
