//! The table filter (`sourceConfig.tableFilterPattern`): JSON arrays of patterns, matched
//! against table names without a regex engine. A pattern that starts with `^` keeps or leaves
//! out the names that start with the rest of it; any other pattern, the names that contain it.
//! Matching is case-sensitive. A name is left out when `includes` is not empty and no include
//! matches it, or when an exclude matches it.

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableFilter {
    includes: Vec<String>,
    excludes: Vec<String>,
}

impl TableFilter {
    pub fn new(includes: Vec<String>, excludes: Vec<String>) -> TableFilter {
        TableFilter { includes, excludes }
    }

    /// A key's value: a JSON array of strings (blank: none).
    pub fn parse_patterns(value: &str) -> Result<Vec<String>, String> {
        if value.trim().is_empty() {
            return Ok(Vec::new());
        }
        serde_json::from_str(value)
            .map_err(|_| "is not a JSON array of strings, e.g. [\"^orders\", \"tmp\"]".to_string())
    }

    /// Why `name` is left out (`tableFilterPattern ...`), or `None` if it is kept.
    pub fn reason(&self, name: &str) -> Option<String> {
        if let Some(pattern) = self.excludes.iter().find(|p| matches(p, name)) {
            return Some(format!(
                "tableFilterPattern: matches the exclude pattern {pattern:?}"
            ));
        }
        if !self.includes.is_empty() && !self.includes.iter().any(|p| matches(p, name)) {
            return Some(format!(
                "tableFilterPattern: matches none of the include patterns {:?}",
                self.includes
            ));
        }
        None
    }
}

/// `^prefix`: starts with prefix; anything else: contains it.
fn matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_prefix('^') {
        Some(prefix) => name.starts_with(prefix),
        None => name.contains(pattern),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(includes: &[&str], excludes: &[&str]) -> TableFilter {
        let strings = |p: &[&str]| p.iter().map(|s| s.to_string()).collect();
        TableFilter::new(strings(includes), strings(excludes))
    }

    #[test]
    fn a_caret_anchors_and_anything_else_is_a_substring() {
        assert!(matches("^ord", "orders"));
        assert!(!matches("^ders", "orders"));
        assert!(matches("ders", "orders"));
        assert!(!matches("Orders", "orders"));
        assert!(matches("", "orders"));
        assert!(matches("^", "orders"));
        // No other regex syntax: `.` and `$` are plain characters.
        assert!(!matches("ord.rs", "orders"));
        assert!(matches("a.b", "x.a.b"));
        assert!(!matches("orders$", "orders"));
    }

    #[test]
    fn no_patterns_keep_everything() {
        assert_eq!(TableFilter::default().reason("anything"), None);
    }

    #[test]
    fn includes_keep_and_excludes_leave_out() {
        let f = filter(&["^orders", "customer"], &["tmp"]);
        assert_eq!(f.reason("orders"), None);
        assert_eq!(f.reason("all_customers"), None);
        assert_eq!(
            f.reason("items").unwrap(),
            "tableFilterPattern: matches none of the include patterns [\"^orders\", \"customer\"]"
        );
        assert_eq!(
            f.reason("orders_tmp").unwrap(),
            "tableFilterPattern: matches the exclude pattern \"tmp\""
        );
    }

    #[test]
    fn patterns_are_a_json_array_of_strings() {
        assert_eq!(
            TableFilter::parse_patterns(r#"["^a", "b"]"#).unwrap(),
            ["^a", "b"]
        );
        assert!(TableFilter::parse_patterns("").unwrap().is_empty());
        assert!(TableFilter::parse_patterns("[]").unwrap().is_empty());
        for bad in ["^a", "[1]", "{\"a\": 1}", "[\"a\"", "null"] {
            assert!(TableFilter::parse_patterns(bad).is_err(), "{bad}");
        }
    }
}
