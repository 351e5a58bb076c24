//! A small regular-expression engine with the semantics of CPython 3.11's `re`, for
//! OpenMetadata's filter patterns: `re.match(pattern, name, re.IGNORECASE)`, i.e. a `str`
//! pattern in Unicode mode, case-insensitive, anchored at the start of the name only.
//!
//! It follows CPython closely rather than any regex theory, so that a pattern behaves in the
//! connector exactly as it does in OpenMetadata's Python ingestion:
//!
//! - [`parse`] is a port of `re/_parser.py` (same tokenizer, same error messages and
//!   positions, same quirks: `{` that is not a quantifier is a literal, `]` first in a class
//!   is literal, global flags only at the very start, ...);
//! - [`compile`] follows `re/_compiler.py`: case-insensitive literals and classes are folded
//!   the way `sre` folds them (simple lowercase plus the `_EXTRA_CASES` equivalences),
//!   look-behinds must have a fixed width, single-character repeats get the `*_ONE` opcodes;
//! - [`exec`] is a port of `Modules/_sre/sre_lib.h`'s `SRE(match)`: the same backtracking
//!   order, the same zero-width-loop protection, the same handling of capture marks on
//!   backtracking (which decides backreferences and conditionals), with an explicit stack of
//!   contexts instead of recursion and a step budget.
//!
//! Supported: everything `re` accepts for `str` patterns (escapes, classes, categories, groups,
//! named groups, backreferences, look-arounds, atomic groups, conditionals, comments, inline
//! and scoped flags `i s m x a u t`, greedy, lazy and possessive quantifiers), with Python's
//! error messages and positions, and its quirks (e.g. 3.11's possessive repeat of a group
//! commits to each iteration: `(?:a|ab){2}+` does not match `abab`).
//!
//! Not supported: named characters `\N{...}` (refused with an error: they need the Unicode
//! name table); groups nested more than [`parse::MAX_NESTING`] deep (an error; Python would
//! stop at its recursion limit, around 490). Group names and `(?(1)...)` numbers follow
//! Python exactly in ASCII; a non-ASCII group name is accepted when its characters are
//! letters or digits for `char` (Python uses `XID_Start`/`XID_Continue`), and non-ASCII
//! digits in a condition's group number are refused (Python accepts them with a warning).
//!
//! Non-ASCII text uses what `char` offers instead of Python's Unicode 14 tables (see
//! [`unicode`]): `\w` is `char::is_alphanumeric() || '_'`, `\s` is `char::is_whitespace()`
//! plus `\x1c`–`\x1f`, `\d` approximates Unicode decimal digits, and case folding knows
//! ASCII letters only (plus CPython's `_casefix` pairs such as `i`/`ı`): `é` does not match
//! `É` under IGNORECASE, as it does in Python. For the characters DynamoDB allows in a table
//! name (`[A-Za-z0-9_.-]`) every answer is exact.
//!
//! Matching is bounded by a step budget. Natively, about 100 million steps take a second;
//! ordinary filters need a few hundred to a few thousand steps on a 255-character name
//! (`.*a.*b.*c.*z$`: 6,000), while nested unbounded repeats such as `(.*)*z` are exponential,
//! in Python too, and run out of any budget.

/// The simple lower- and uppercase of `c` as IGNORECASE folds it here (see [`unicode`]).
pub fn case_mapping(c: char) -> (u32, u32) {
    (unicode::lower(c as u32), unicode::upper(c as u32))
}

mod compile;
mod exec;
mod parse;
mod unicode;

#[cfg(test)]
mod tests;

use std::fmt;

/// A compiled pattern.
#[derive(Debug, Clone)]
pub struct Regex {
    prog: Vec<compile::Op>,
    groups: usize,
}

/// Why a pattern does not compile, as Python's `re.error` tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// Python's `re.error.msg`, e.g. `missing ), unterminated subpattern`.
    pub message: String,
    /// Python's `re.error.pos`: an index in characters of the pattern, when Python gives one.
    pub position: Option<usize>,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some(p) => write!(f, "{} at position {p}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {}

impl Error {
    fn new(message: impl Into<String>, position: Option<usize>) -> Error {
        Error {
            message: message.into(),
            position,
        }
    }
}

impl Regex {
    /// Compiles `pattern` as Python's `re.compile(pattern, re.IGNORECASE)` would (str
    /// pattern, Unicode mode).
    pub fn new(pattern: &str) -> Result<Regex, Error> {
        let chars: Vec<char> = pattern.chars().collect();
        let parsed = parse::parse(&chars, parse::FLAG_IGNORECASE)?;
        let groups = parsed.groups;
        let prog = compile::compile(&parsed)?;
        Ok(Regex { prog, groups })
    }

    /// `re.match`: whether the pattern matches at the start of `text` (not necessarily to its
    /// end). `None` when the backtracking budget (`max_steps`) ran out before an answer.
    ///
    /// A step is one instruction of the matcher, one character examined by a
    /// single-character repeat, or one capture mark saved for backtracking; memory used while
    /// matching is bounded by the steps taken.
    pub fn match_start(&self, text: &str, max_steps: usize) -> Option<bool> {
        let text: Vec<char> = text.chars().collect();
        exec::run(&self.prog, self.groups, &text, max_steps)
    }
}
