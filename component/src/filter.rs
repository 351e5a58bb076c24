//! OpenMetadata's filter patterns (`utils/filters.py`): each regex is matched like Python's
//! `re.match(pattern, name, re.IGNORECASE)` (anchored at the start, not at the end; lookarounds
//! allowed), by [`crate::pyre`], a port of CPython's own `re`. When `includes` is non-empty a
//! name is kept if any include matches and `excludes` are ignored; otherwise a name is dropped
//! when any exclude matches.

use crate::pyre::Regex;

#[derive(Debug, Clone, Default)]
pub struct FilterPattern {
    includes: Vec<Pattern>,
    excludes: Vec<Pattern>,
}

#[derive(Debug, Clone)]
struct Pattern {
    source: String,
    regex: Regex,
}

/// A pattern that does not compile: which list, which entry, why.
#[derive(Debug, Clone, PartialEq)]
pub struct InvalidPattern {
    pub list: &'static str,
    pub index: usize,
    pub pattern: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Keep,
    /// Dropped; the text says by which rule.
    Drop(String),
}

/// Matcher steps per match, so that a pathological pattern cannot hang a run: a filter over a
/// 255-character name takes a few thousand; `(.*)*z` would take forever, in Python too.
pub const MAX_STEPS: usize = 100_000;

impl FilterPattern {
    pub fn new(includes: &[String], excludes: &[String]) -> Result<Self, InvalidPattern> {
        Ok(FilterPattern {
            includes: compile_all("includes", includes)?,
            excludes: compile_all("excludes", excludes)?,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.includes.is_empty() && self.excludes.is_empty()
    }

    /// Decides on `name`. `setting` names the filter in the reason (e.g. `tableFilterPattern`).
    pub fn verdict(&self, name: &str, setting: &str) -> Verdict {
        if !self.includes.is_empty() {
            return if self.includes.iter().any(|p| p.matches(name)) {
                Verdict::Keep
            } else {
                Verdict::Drop(format!("not matched by any {setting}.includes"))
            };
        }
        match self.excludes.iter().find(|p| p.matches(name)) {
            Some(p) => Verdict::Drop(format!("matched {setting}.excludes `{}`", p.source)),
            None => Verdict::Keep,
        }
    }
}

impl Pattern {
    /// A match that exceeds the step budget counts as no match.
    fn matches(&self, name: &str) -> bool {
        self.regex.match_start(name, MAX_STEPS).unwrap_or(false)
    }
}

fn compile_all(list: &'static str, sources: &[String]) -> Result<Vec<Pattern>, InvalidPattern> {
    sources
        .iter()
        .enumerate()
        .map(|(index, source)| {
            let regex = Regex::new(source).map_err(|e| InvalidPattern {
                list,
                index,
                pattern: source.clone(),
                message: e.to_string(),
            })?;
            Ok(Pattern {
                source: source.clone(),
                regex,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(includes: &[&str], excludes: &[&str]) -> FilterPattern {
        let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        FilterPattern::new(&owned(includes), &owned(excludes)).unwrap()
    }

    fn kept(p: &FilterPattern, name: &str) -> bool {
        p.verdict(name, "tableFilterPattern") == Verdict::Keep
    }

    #[test]
    fn empty_pattern_keeps_everything() {
        let p = pattern(&[], &[]);
        assert!(p.is_empty());
        assert!(kept(&p, "anything"));
    }

    #[test]
    fn matching_is_anchored_at_the_start_only() {
        let p = pattern(&["ord"], &[]);
        assert!(kept(&p, "orders"));
        assert!(!kept(&p, "my_orders"));
    }

    #[test]
    fn matching_ignores_case() {
        let p = pattern(&["ORDERS$"], &[]);
        assert!(kept(&p, "orders"));
    }

    #[test]
    fn includes_win_over_excludes() {
        let p = pattern(&["orders"], &["orders"]);
        assert!(kept(&p, "orders"));
        assert!(!kept(&p, "users"));
    }

    #[test]
    fn excludes_apply_without_includes() {
        let p = pattern(&[], &["tmp_", "test"]);
        assert!(kept(&p, "orders"));
        assert_eq!(
            p.verdict("tmp_1", "tableFilterPattern"),
            Verdict::Drop("matched tableFilterPattern.excludes `tmp_`".to_string())
        );
    }

    #[test]
    fn lookarounds_work() {
        let p = pattern(&["(?!tmp_).*"], &[]);
        assert!(kept(&p, "orders"));
        assert!(!kept(&p, "tmp_orders"));
        let p = pattern(&["orders(?=\\.v2)"], &[]);
        assert!(kept(&p, "orders.v2"));
        assert!(!kept(&p, "orders.v1"));
    }

    #[test]
    fn alternation_is_anchored_as_a_whole() {
        let p = pattern(&["a|b"], &[]);
        assert!(kept(&p, "beta"));
        assert!(!kept(&p, "cab"));
    }

    #[test]
    fn invalid_regex_names_list_and_entry() {
        let err = FilterPattern::new(&["ok".into(), "bad(".into()], &[]).unwrap_err();
        assert_eq!(err.list, "includes");
        assert_eq!(err.index, 1);
        assert_eq!(err.pattern, "bad(");
        let err = FilterPattern::new(&[], &["a)(b".into()]).unwrap_err();
        assert_eq!(err.list, "excludes");
    }
}
