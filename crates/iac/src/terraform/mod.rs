//! Terraform (stub).
pub mod rules;

#[derive(Debug)]
pub struct ParseError {
    pub message: String,
    pub line: u32,
    pub col: u32,
}

pub struct Body;

pub fn parse(_src: &str) -> Result<Body, ParseError> {
    Ok(Body)
}
