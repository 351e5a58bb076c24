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
    /// Dropped because a pattern ran out of steps before it could say whether it matches: an
    /// exclude that may match, or no include that does. Never ingested against the user's
    /// filter; the text names the pattern and is worth a warning.
    Undecided(String),
}

impl Verdict {
    /// Why the name is left out, if it is.
    pub fn dropped(&self) -> Option<&str> {
        match self {
            Verdict::Keep => None,
            Verdict::Drop(reason) | Verdict::Undecided(reason) => Some(reason),
        }
    }
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
        self.verdict_within(name, setting, MAX_STEPS)
    }

    fn verdict_within(&self, name: &str, setting: &str, steps: usize) -> Verdict {
        let undecided = |list: &str, p: &Pattern| {
            format!(
                "{setting}.{list} `{}` could not be decided within {steps} steps; left out, as it may {}",
                p.source,
                if list == "excludes" {
                    "match"
                } else {
                    "not match"
                }
            )
        };
        if !self.includes.is_empty() {
            let mut first_undecided = None;
            for p in &self.includes {
                match p.regex.match_start(name, steps) {
                    Some(true) => return Verdict::Keep,
                    Some(false) => {}
                    None => {
                        first_undecided.get_or_insert(p);
                    }
                }
            }
            return match first_undecided {
                Some(p) => Verdict::Undecided(undecided("includes", p)),
                None => Verdict::Drop(format!("not matched by any {setting}.includes")),
            };
        }
        for p in &self.excludes {
            match p.regex.match_start(name, steps) {
                Some(true) => {
                    return Verdict::Drop(format!("matched {setting}.excludes `{}`", p.source));
                }
                Some(false) => {}
                None => return Verdict::Undecided(undecided("excludes", p)),
            }
        }
        Verdict::Keep
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
    fn a_pattern_out_of_steps_never_lets_a_table_in() {
        // `(a*)*b` on a run of `a`s backtracks exponentially, in Python too.
        let name = "a".repeat(40);
        let exclude = pattern(&[], &["tmp_", "(a*)*b"]);
        let verdict = exclude.verdict(&name, "tableFilterPattern");
        assert_eq!(
            verdict,
            Verdict::Undecided(format!(
                "tableFilterPattern.excludes `(a*)*b` could not be decided within {MAX_STEPS} steps; left out, as it may match"
            ))
        );
        assert!(verdict.dropped().is_some());
        assert!(kept(&exclude, "orders"));
        // An include out of steps: left out unless another include matches.
        let include = pattern(&["(a*)*b"], &[]);
        assert!(matches!(include.verdict(&name, "t"), Verdict::Undecided(_)));
        let either = pattern(&["(a*)*b", "a"], &[]);
        assert!(kept(&either, &name));
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
