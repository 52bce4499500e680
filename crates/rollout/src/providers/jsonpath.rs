//! A small JSON path: `$`, `.name`, `['name']`, `[index]` (negative counts from the end).
//! Argo's `{$.a.b}` braces are accepted too.

use serde_json::Value as Json;

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(i64),
}

/// A parsed selector.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonPath {
    steps: Vec<Step>,
}

impl JsonPath {
    /// Parses a selector; errors name the 1-based column.
    pub fn parse(src: &str) -> Result<JsonPath, String> {
        let t = src.trim();
        let t = t
            .strip_prefix('{')
            .and_then(|x| x.strip_suffix('}'))
            .unwrap_or(t)
            .trim();
        let offset = src.find(t).unwrap_or(0);
        let chars: Vec<char> = t.chars().collect();
        let at = |i: usize| offset + i + 1;
        if chars.first() != Some(&'$') {
            return Err(format!("column {}: a JSON path starts with `$`", at(0)));
        }
        let mut steps = Vec::new();
        let mut i = 1;
        while i < chars.len() {
            match chars[i] {
                '.' => {
                    let start = i + 1;
                    i = start;
                    while i < chars.len() && (chars[i].is_alphanumeric() || "_-".contains(chars[i]))
                    {
                        i += 1;
                    }
                    if i == start {
                        return Err(format!("column {}: expected a name after `.`", at(start)));
                    }
                    steps.push(Step::Key(chars[start..i].iter().collect()));
                }
                '[' => {
                    let start = i;
                    let close = chars[i..]
                        .iter()
                        .position(|c| *c == ']')
                        .map(|p| p + i)
                        .ok_or_else(|| format!("column {}: `[` is not closed", at(start)))?;
                    let inner: String = chars[i + 1..close].iter().collect();
                    let inner = inner.trim();
                    if let Some(q) = inner
                        .strip_prefix('\'')
                        .and_then(|x| x.strip_suffix('\''))
                        .or_else(|| inner.strip_prefix('"').and_then(|x| x.strip_suffix('"')))
                    {
                        steps.push(Step::Key(q.to_string()));
                    } else {
                        let n: i64 = inner.parse().map_err(|_| {
                            format!(
                                "column {}: expected an index or a quoted name in `[…]`",
                                at(start + 1)
                            )
                        })?;
                        steps.push(Step::Index(n));
                    }
                    i = close + 1;
                }
                c => return Err(format!("column {}: unexpected `{c}`", at(i))),
            }
        }
        Ok(JsonPath { steps })
    }

    /// Selects the value; a missing key or index is an error naming the path so far.
    pub fn select<'a>(&self, root: &'a Json) -> Result<&'a Json, String> {
        let mut cur = root;
        let mut walked = String::from("$");
        for step in &self.steps {
            cur = match step {
                Step::Key(k) => {
                    walked.push('.');
                    walked.push_str(k);
                    cur.get(k.as_str())
                }
                Step::Index(n) => {
                    walked.push_str(&format!("[{n}]"));
                    cur.as_array().and_then(|a| {
                        let i = if *n < 0 { a.len() as i64 + n } else { *n };
                        usize::try_from(i).ok().and_then(|i| a.get(i))
                    })
                }
            }
            .ok_or_else(|| format!("the response has no {walked}"))?;
        }
        Ok(cur)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selects() {
        let doc = json!({"a": {"b": [10, 20, {"c-d": true}]}, "x y": 1});
        let sel = |p: &str| JsonPath::parse(p).unwrap().select(&doc).cloned();
        assert_eq!(sel("$.a.b[0]").unwrap(), json!(10));
        assert_eq!(sel("$.a.b[-1].c-d").unwrap(), json!(true));
        assert_eq!(sel("{$.a.b[1]}").unwrap(), json!(20));
        assert_eq!(sel("$['x y']").unwrap(), json!(1));
        assert_eq!(sel("$").unwrap(), doc);
        assert!(sel("$.a.z").unwrap_err().contains("$.a.z"));
        assert!(sel("$.a.b[7]").is_err());
    }

    #[test]
    fn parse_errors_have_columns() {
        assert!(JsonPath::parse("a.b").unwrap_err().starts_with("column 1"));
        assert!(JsonPath::parse("$.a[").unwrap_err().starts_with("column 4"));
        assert!(
            JsonPath::parse("$.a[x]")
                .unwrap_err()
                .starts_with("column 5")
        );
        assert!(JsonPath::parse("$.").unwrap_err().starts_with("column 3"));
        assert!(JsonPath::parse("$a").unwrap_err().starts_with("column 2"));
    }
}
