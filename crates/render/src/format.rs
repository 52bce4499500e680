//! What to render and how: the output [`Format`] (named on the command line and in
//! configuration by [`Format::name`], read back with [`str::parse`]) and [`RenderOptions`].
//! No command-line parser is tied in here; the binary builds its argument from
//! [`Format::NAMES`] and `FromStr`.

use std::fmt;
use std::str::FromStr;

/// An output format for a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

impl Format {
    /// Every format, in the order help texts list them.
    pub const ALL: [Format; 4] = [Format::Human, Format::Json, Format::Sarif, Format::Github];
    /// The names of [`Format::ALL`], as [`Format::name`] gives them.
    pub const NAMES: [&'static str; 4] = ["human", "json", "sarif", "github"];

    /// The format's name: `human`, `json`, `sarif` or `github`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Github => "github",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A format name that is not one of [`Format::NAMES`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFormat(pub String);

impl fmt::Display for UnknownFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown output format {:?} (expected one of: {})",
            self.0,
            Format::NAMES.join(", ")
        )
    }
}

impl std::error::Error for UnknownFormat {}

impl FromStr for Format {
    type Err = UnknownFormat;

    /// Reads a name of [`Format::NAMES`], ignoring ASCII case.
    fn from_str(s: &str) -> Result<Format, UnknownFormat> {
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownFormat(s.to_string()))
    }
}

/// Options of the human renderer (the others ignore them).
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    pub color: bool,
    pub show_suppressed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_and_unknown_names_are_refused() {
        for (f, n) in Format::ALL.into_iter().zip(Format::NAMES) {
            assert_eq!(f.name(), n);
            assert_eq!(n.parse::<Format>(), Ok(f));
            assert_eq!(f.to_string(), n);
        }
        assert_eq!("SARIF".parse::<Format>(), Ok(Format::Sarif));
        let e = "xml".parse::<Format>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown output format \"xml\" (expected one of: human, json, sarif, github)"
        );
    }
}
