//! Unit tests. The expected answers and error messages of the tables were produced by
//! CPython 3.11.7 (`re.match(p, s, re.IGNORECASE)` and `re.compile(p, re.IGNORECASE)`).

use super::*;

const STEPS: usize = 1_000_000;

fn matches(p: &str, s: &str) -> bool {
    let re = Regex::new(p).unwrap_or_else(|e| panic!("{p:?}: {e}"));
    re.match_start(s, STEPS)
        .unwrap_or_else(|| panic!("{p:?} on {s:?}: over budget"))
}

/// One feature a line: literals and escapes, `.` and anchors, classes, categories, groups,
/// backreferences, look-arounds, atomic groups, conditionals, comments, inline flags,
/// alternation, every kind of quantifier, `{` as a literal, case folding.
#[rustfmt::skip]
const PYTHON_ANSWERS: &[(&str, &str, bool)] = &[
    ("a\\.b", "a.b", true),
    ("a\\.b", "axb", false),
    ("\\\\", "\\", true),
    ("\\*\\(\\)\\[\\]\\{\\}\\?\\+\\|\\^\\$", "*()[]{}?+|^$", true),
    ("\\n\\t\\r\\f\\v\\a", "\u{a}\u{9}\u{d}\u{c}\u{b}\u{7}", true),
    ("\\0", "\u{0}", true),
    ("\\012", "\u{a}", true),
    ("\\x41", "a", true),
    ("\\x41", "A", true),
    ("\\U0001F600", "😀", true),
    ("\\-\\_\\#", "-_#", true),
    ("a\\ b", "a b", true),
    (".", "\u{a}", false),
    (".", "x", true),
    (".", "", false),
    ("(?s).", "\u{a}", true),
    ("a$", "a", true),
    ("a$", "a\u{a}", true),
    ("a$", "a\u{a}\u{a}", false),
    ("a$", "ab", false),
    ("(?m)a$", "a\u{a}b", true),
    ("^a", "a", true),
    ("(?m)x\\n^a", "x\u{a}a", true),
    ("x\\n^a", "x\u{a}a", false),
    ("a\\Z", "a", true),
    ("a\\Z", "a\u{a}", false),
    ("\\Aa", "a", true),
    ("a\\b", "a", true),
    ("a\\b", "a.", true),
    ("a\\b", "ab", false),
    ("a\\B", "a", false),
    ("a\\B", "ab", true),
    ("\\B", "", false),
    ("\\b", "", false),
    ("(?a)é\\b", "é", false),
    ("é\\b", "é", true),
    ("é\\b", "éa", false),
    ("[abc]+$", "cab", true),
    ("[abc]+$", "cad", false),
    ("[a-c]$", "B", true),
    ("[a-c]$", "d", false),
    ("[^a-c]", "d", true),
    ("[^a-c]", "b", false),
    ("[^a-c]", "\u{a}", true),
    ("[]]", "]", true),
    ("[^]]", "]", false),
    ("[^]]", "a", true),
    ("[a-]", "-", true),
    ("[-a]", "-", true),
    ("[\\]]", "]", true),
    ("[\\d]", "5", true),
    ("[\\d]", "x", false),
    ("[\\w.-]+$", "my.table-1", true),
    ("[\\w.-]+$", "my table", false),
    ("[\\x41-\\x43]", "b", true),
    ("[\\x41-\\x43]", "d", false),
    ("[\\s]", " ", true),
    ("[\\s]", "\u{1c}", true),
    ("[^\\W\\d]", "a", true),
    ("[^\\W\\d]", "1", false),
    ("[^\\W\\d]", "_", true),
    ("[\\b]", "\u{8}", true),
    ("[.]", ".", true),
    ("[.]", "a", false),
    ("[a-z]", "K", true),
    ("[a-z]", "ſ", true),
    ("[a-z]", "ı", true),
    ("[k]", "K", true),
    ("[^k]", "K", false),
    ("(?a)[k]", "K", true),
    ("[Z-a]", "_", true),
    ("[Z-a]", "z", true),
    ("[Z-a]", "A", true),
    ("[Z-a]", "[", true),
    ("\\d", "7", true),
    ("\\d", "١", true),
    ("\\d", "²", false),
    ("\\d", "a", false),
    ("(?a)\\d", "١", false),
    ("\\w", "é", true),
    ("\\w", "_", true),
    ("\\w", "表", true),
    ("\\w", "-", false),
    ("(?a)\\w", "é", false),
    ("\\s", "\u{1c}", true),
    ("\\s", "\u{a0}", true),
    ("\\s", "a", false),
    ("(?a)\\s", "\u{1c}", false),
    ("(?a)\\s", "\u{a0}", false),
    ("(?a)\\s", "\u{9}", true),
    ("\\D\\W\\S", "a-b", true),
    ("\\D\\W\\S", "1-b", false),
    ("(ab)+$", "abab", true),
    ("(ab)+$", "aba", false),
    ("(?:ab)+$", "ABab", true),
    ("(?P<x>a)(?P=x)", "aA", true),
    ("(?P<x>a)(?P=x)", "ab", false),
    ("(a)\\1", "aA", true),
    ("(a)(b)?\\2", "ab", false),
    ("(a)(b)?\\2", "abb", true),
    ("(ı)\\1", "ıi", false),
    ("(ı)\\1", "ıı", true),
    ("(?=ab)a", "ab", true),
    ("(?=ab)a", "ac", false),
    ("(?!ab)a", "ab", false),
    ("(?!ab)a", "ac", true),
    ("a(?<=a)b", "ab", true),
    ("b(?<!a)c", "bc", true),
    ("(?<=a)b", "ab", false),
    ("(?>a+)a", "aaa", false),
    ("(?>a|ab)c", "abc", false),
    ("(a)?(?(1)b|c)", "ab", true),
    ("(a)?(?(1)b|c)", "c", true),
    ("(a)?(?(1)b|c)", "ac", false),
    ("(?P<n>a)?(?(n)b|c)", "ab", true),
    ("(?P<n>a)?(?(n)b|c)", "c", true),
    ("(?(1)a|b)(x)", "bx", true),
    ("(?(1)a|b)(x)", "ax", false),
    ("a(?#comment)b", "ab", true),
    ("(?:(a)|b)*\\1", "aba", true),
    ("(?:(a)|b)*\\1", "ab", false),
    ("(?i)a", "A", true),
    ("(?-i:a)", "A", false),
    ("(?-i:a)", "a", true),
    ("(?-i:a)b", "aB", true),
    ("(?x) a b # c", "ab", true),
    ("(?x)[ ]", " ", true),
    ("(?x)a\\ b", "a b", true),
    ("(?u)\\w", "é", true),
    ("(?a:\\w)\\w", "aé", true),
    ("(?a:\\w)\\w", "éa", false),
    ("(?s:.)", "\u{a}", true),
    ("(?m:$)\\n", "\u{a}", true),
    ("a|b|cd", "cd", true),
    ("a|b|cd", "c", false),
    ("(?:a|ab)c", "abc", true),
    ("a*$", "aaa", true),
    ("a*$", "aab", false),
    ("a+", "", false),
    ("a+", "a", true),
    ("a?b", "b", true),
    ("a?b", "ab", true),
    ("a{2}$", "aa", true),
    ("a{2}$", "aaa", false),
    ("a{2,}$", "a", false),
    ("a{2,}$", "aaaa", true),
    ("a{,2}$", "aaa", false),
    ("a{,2}$", "aa", true),
    ("a{1,2}$", "aaa", false),
    ("a*?b", "aab", true),
    ("a+?$", "aa", true),
    ("a??b", "ab", true),
    ("a{1,2}?$", "aa", true),
    ("a*+a", "aaa", false),
    ("a++$", "aa", true),
    ("a?+a", "a", false),
    ("a{1,2}+a", "aa", false),
    ("a{1,2}+a", "aaa", true),
    ("(?:ab)*+ab", "abab", false),
    ("(?:a|ab){2}+$", "abab", false),
    ("x{", "x{", true),
    ("x{}", "x{}", true),
    ("x{,}", "xxx", true),
    ("x{a}", "x{a}", true),
    ("x{1,2", "x{1,2", true),
    ("{", "{", true),
    ("(a*)*b", "aab", true),
    ("(a|)*b", "b", true),
    ("(?:a?)+?b", "aab", true),
    ("(a{1000000})?b", "b", true),
    ("i", "I", true),
    ("i", "ı", true),
    ("s", "ſ", true),
    ("s", "S", true),
    ("k", "K", true),
    ("k", "K", true),
    ("ß", "s", false),
    ("(?a)k", "K", true),
    ("(?a)i", "ı", false),
];

/// Where Python folds the case of non-ASCII letters and pyre does not (module docs): Python
/// answers `true` to each of these, pyre `false`.
#[rustfmt::skip]
const PYTHON_FOLDS_PYRE_DOES_NOT: &[(&str, &str)] = &[
    ("\\u00e9", "É"), ("µ", "Μ"), ("ß", "ẞ"),
    ("σ", "Σ"), ("σ", "ς"), ("µ", "μ"), ("ǅ", "Ǆ"), ("ǅ", "ǆ"), ("é", "É"), ("表", "表"),
];

#[test]
fn non_ascii_letters_are_caseless() {
    for (p, s) in PYTHON_FOLDS_PYRE_DOES_NOT {
        let expected = p == s; // only a character itself
        assert_eq!(matches(p, s), expected, "{p:?} on {s:?}");
    }
    // an ASCII letter's `_casefix` partners still match, as in Python
    assert!(matches("i", "ı") && matches("s", "ſ") && matches("k", "K"));
    // and so do the non-ASCII letters whose case is an ASCII letter
    assert!(matches("[a-z]", "İ") && matches("i", "İ") && matches("ı", "I") && matches("ſ", "s"));
}

#[test]
fn answers_like_python() {
    let wrong: Vec<_> = PYTHON_ANSWERS
        .iter()
        .filter(|(p, s, want)| matches(p, s) != *want)
        .collect();
    assert!(wrong.is_empty(), "{wrong:?}");
}

/// `(pattern, re.error.msg, re.error.pos)`.
#[rustfmt::skip]
const PYTHON_ERRORS: &[(&str, &str, Option<usize>)] = &[
    ("(a", "missing ), unterminated subpattern", Some(0)),
    ("a)", "unbalanced parenthesis", Some(1)),
    ("*", "nothing to repeat", Some(0)),
    ("a**", "multiple repeat", Some(2)),
    ("a{2}{3}", "multiple repeat", Some(4)),
    ("a*??", "multiple repeat", Some(3)),
    ("\\p", "bad escape \\p", Some(0)),
    ("\\q", "bad escape \\q", Some(0)),
    ("\\e", "bad escape \\e", Some(0)),
    ("(?<=a+)b", "look-behind requires fixed-width pattern", None),
    ("(?<!a|bc)d", "look-behind requires fixed-width pattern", None),
    ("(?P=x)", "unknown group name 'x'", Some(4)),
    ("(?(x)a)", "unknown group name 'x'", Some(3)),
    ("\\2(a)", "invalid group reference 2", Some(1)),
    ("(?(2)a)", "invalid group reference 2", Some(3)),
    ("[a", "unterminated character set", Some(0)),
    ("[", "unterminated character set", Some(0)),
    ("[z-a]", "bad character range z-a", Some(1)),
    ("[\\d-z]", "bad character range \\d-z", Some(1)),
    ("[a-\\w]", "bad character range a-\\w", Some(1)),
    ("a(?i)", "global flags not at the start of the expression", Some(1)),
    ("(?:(?i)a)", "global flags not at the start of the expression", Some(3)),
    ("b|(?s)a", "global flags not at the start of the expression", Some(2)),
    ("(?#abc", "missing ), unterminated comment", Some(0)),
    ("(?Q)", "unknown extension ?Q", Some(1)),
    ("(?<n>a)", "unknown extension ?<n", Some(1)),
    ("(?P<a>x)(?P<a>y)", "redefinition of group name 'a' as group 2; was group 1", Some(12)),
    ("(a\\1)", "cannot refer to an open group", Some(2)),
    ("a{3,2}", "min repeat greater than max repeat", Some(2)),
    ("a{4294967295}", "the repetition number is too large", None), // OverflowError
    ("\\x4", "incomplete escape \\x4", Some(0)),
    ("\\u12g", "incomplete escape \\u12", Some(0)),
    ("\\U0011FFFF", "bad escape \\U0011FFFF", Some(0)),
    ("\\777", "octal escape value \\777 outside of range 0-0o377", Some(0)),
    ("[\\400]", "octal escape value \\400 outside of range 0-0o377", Some(1)),
    ("(?P<1a>x)", "bad character in group name '1a'", Some(4)),
    ("(?P<>x)", "missing group name", Some(4)),
    ("(?P<a", "missing >, unterminated name", Some(4)),
    ("(?(1)a|b|c)(x)", "conditional backref with more than two branches", Some(8)),
    ("(?(0)a)", "bad group number", Some(3)),
    ("\\", "bad escape (end of pattern)", Some(0)),
    ("a\\", "bad escape (end of pattern)", Some(1)),
    ("(?", "unexpected end of pattern", Some(2)),
    ("(?P", "unexpected end of pattern", Some(3)),
    ("(?Px)", "unknown extension ?Px", Some(1)),
    ("(?iz)", "unknown flag", Some(3)),
    ("(?i", "missing -, : or )", Some(3)),
    ("(?i-", "missing flag", Some(4)),
    ("(?i-)", "missing flag", Some(4)),
    ("(?-:a)", "missing flag", Some(3)),
    ("(?-z:a)", "unknown flag", Some(3)),
    ("(?t:a)", "bad inline flags: cannot turn on global flag", Some(3)),
    ("(?i-i:a)", "bad inline flags: flag turned on and off", Some(5)),
    ("(?-a:a)", "bad inline flags: cannot turn off flags 'a', 'u' and 'L'", Some(4)),
    ("(?L)a", "bad inline flags: cannot use 'L' flag with a str pattern", Some(3)),
    ("(?au)a", "bad inline flags: flags 'a', 'u' and 'L' are incompatible", Some(4)),
    ("(?a)(?u)a", "ASCII and UNICODE flags are incompatible", None), // ValueError
    ("(?<=(a)\\1)", "cannot refer to group defined in the same lookbehind subpattern", Some(9)),
    ("(?<=a{4294967294}a{4294967294})", "looks too much behind", None),
    ("(?t)a*", "internal: unsupported template operator MAX_REPEAT", None),
    ("(?t)a+?", "internal: unsupported template operator MIN_REPEAT", None),
    ("\\N", "missing {", Some(2)),
    ("\\N{", "missing character name", Some(3)),
    ("(?(-1)a)", "bad character in group name '-1'", Some(3)),
    ("(?(a-b)a)", "bad character in group name 'a-b'", Some(3)),
    ("(?(99999999999)a)", "invalid group reference 99999999999", Some(3)),
    ("(?<", "unexpected end of pattern", Some(3)),
    ("(?<x", "unknown extension ?<x", Some(1)),
    ("x(?<=\\1)(a)", "invalid group reference 1", Some(6)),
    ("\\8", "invalid group reference 8", Some(1)),
    ("[\\8]", "bad escape \\8", Some(1)),
    ("(?x)(", "missing ), unterminated subpattern", Some(4)),
    ("a\u{a})", "unbalanced parenthesis", Some(2)),
];

#[test]
fn errors_like_python() {
    for &(p, message, position) in PYTHON_ERRORS {
        let want = Error::new(message, position);
        assert_eq!(Regex::new(p).err(), Some(want), "{p:?}");
    }
}

#[test]
fn error_displays_like_python() {
    let e = Regex::new("(a").unwrap_err();
    assert_eq!(
        e.to_string(),
        "missing ), unterminated subpattern at position 0"
    );
    let e = Regex::new("(?<=a+)").unwrap_err();
    assert_eq!(e.to_string(), "look-behind requires fixed-width pattern");
}

#[test]
fn named_unicode_escapes_are_refused() {
    let e = Regex::new(r"a\N{EM DASH}").unwrap_err();
    assert_eq!(e.position, Some(1));
    assert!(e.message.contains("not supported"), "{e}");
}

#[test]
fn matches_at_the_start_only() {
    assert!(matches("ord", "orders"));
    assert!(!matches("ord", "my_orders"));
    assert!(matches("", "anything"));
    assert!(matches("orders$", "ORDERS"));
}

#[test]
fn dynamodb_names_fold_exactly() {
    let long = "x".repeat(255);
    for name in ["Orders", "orders-2024.archive", "A_b.C-9", &long] {
        let re = Regex::new(&regex_escape(&name.to_ascii_uppercase())).unwrap();
        assert_eq!(re.match_start(name, STEPS), Some(true), "{name}");
        let re = Regex::new(&(regex_escape(name) + "$")).unwrap();
        assert_eq!(
            re.match_start(&format!("{name}x"), STEPS),
            Some(false),
            "{name}"
        );
    }
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let esc = !c.is_ascii_alphanumeric() && c != '_';
            esc.then_some('\\').into_iter().chain([c])
        })
        .collect()
}

#[test]
fn budget_bounds_catastrophic_patterns() {
    let re = Regex::new("(a+)+b").unwrap();
    let text = "a".repeat(40);
    assert_eq!(re.match_start(&text, 100_000), None);
    assert_eq!(re.match_start("aab", 100_000), Some(true));
    let re = Regex::new("(?:a|aa)*c").unwrap();
    assert_eq!(re.match_start(&text, 100_000), None);
    assert_eq!(re.match_start("", 0), None);
}

#[test]
fn possessive_and_atomic_cut_backtracking() {
    let text = "a".repeat(200);
    for p in ["(?>a+)+b", "(?:a++)+b", "a*+b"] {
        let re = Regex::new(p).unwrap();
        assert_eq!(re.match_start(&text, 100_000), Some(false), "{p}");
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    // The component has a 1 MiB stack; 200 levels take under 200 KiB optimized, under
    // 800 KiB unoptimized.
    let run = || {
        let deep = "(".repeat(10_000);
        let e = Regex::new(&deep).unwrap_err();
        assert_eq!(e.position, Some(parse::MAX_NESTING));
        let e = Regex::new(&"(?:".repeat(10_000)).unwrap_err();
        assert!(e.message.starts_with("too many nested groups"), "{e}");
        let n = parse::MAX_NESTING;
        let ok = "(".repeat(n) + "a" + &")".repeat(n);
        assert!(matches(&ok, "a"));
        // Two groups a level.
        let ok = "(?:(?<=a)".repeat(n / 2) + &")*".repeat(n / 2);
        assert!(matches(&ok, "a"));
        let looks = "(?=(?:a|b)*".repeat(n / 2) + "a" + &")".repeat(n / 2);
        assert!(matches(&looks, "a"));
    };
    let kib = if cfg!(debug_assertions) { 1024 } else { 256 };
    let thread = std::thread::Builder::new().stack_size(kib * 1024);
    thread.spawn(run).unwrap().join().unwrap();
}

#[test]
fn huge_counts_are_not_unrolled() {
    for p in [
        "a{1000000}",
        "(?:ab){4294967294}",
        "(?:a{1000}){1000}",
        "[a-z]{0,4294967294}?",
    ] {
        let re = Regex::new(p).unwrap();
        assert!(re.prog.len() < 10, "{p}: {} instructions", re.prog.len());
        assert_eq!(re.match_start("ab", STEPS), Some(p.ends_with('?')), "{p}");
    }
}

#[test]
fn wide_case_insensitive_classes_compile_quickly() {
    // Compiled as ranges, not one entry per code point (which is what made them slow): the
    // program stays small whatever the classes span.
    let re = Regex::new(r"[\x00-\U0010ffff][^\u0100-\uffff]").unwrap();
    let entries: Vec<usize> = re
        .prog
        .iter()
        .filter_map(|op| match op {
            super::compile::Op::Unit(super::compile::Unit::Set { set, .. }) => Some(set.size()),
            _ => None,
        })
        .collect();
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert!(entries.iter().all(|&n| n < 64), "{entries:?}");
    assert!(re.match_start("éa", STEPS).unwrap());
    assert!(!re.match_start("é\u{100}", STEPS).unwrap());
}

/// A small xorshift, for the tests that throw random input at the engine.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

#[test]
fn never_panics_and_always_terminates_within_the_budget() {
    const PIECES: &[&str] = &[
        "(", ")", "(?:", "(?P<n>", "(?P=n)", "(?=", "(?!", "(?<=", "(?<!", "(?>", "(?(1)", "(?(n)",
        "(?i)", "(?-i:", "(?x)", "(?s)", "(?m)", "(?a)", "(?#", "|", "[", "]", "[^", "-", "*", "+",
        "?", "{", "}", "{2}", "{1,3}", "{,2}", "*?", "+?", "*+", "++", "??", ".", "^", "$", "\\",
        "\\1", "\\2", "\\b", "\\B", "\\A", "\\Z", "\\d", "\\w", "\\s", "\\W", "\\x41", "\\u0131",
        "\\N{", "a", "b", "A", "_", "0", "é", "ı", "K", " ", "#", "\n", ",", ":",
    ];
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut compiled = 0;
    for _ in 0..20_000 {
        let n = 1 + rng.below(16);
        let pattern: String = (0..n).map(|_| PIECES[rng.below(PIECES.len())]).collect();
        let Ok(re) = Regex::new(&pattern) else {
            continue;
        };
        compiled += 1;
        for _ in 0..4 {
            let len = rng.below(24);
            let subject: String = (0..len)
                .map(|_| ['a', 'b', 'A', '_', '0', 'é', '\n'][rng.below(7)])
                .collect();
            // Whatever the answer, it comes back, and within the budget or as `None`.
            let _ = re.match_start(&subject, 20_000);
        }
    }
    assert!(compiled > 1_000, "only {compiled} patterns compiled");
}
