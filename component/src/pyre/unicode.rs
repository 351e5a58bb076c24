//! Character predicates and case mappings of `sre`, from what `char` provides.
//!
//! Exact for ASCII. For other characters (Python 3.11 uses Unicode 14; std a newer version):
//! - `\w` (`str.isalnum() or '_'`): `char::is_alphanumeric`, which also counts the
//!   `Other_Alphabetic` marks and symbols (e.g. combining U+0345, Devanagari vowel signs,
//!   circled letters such as `Ⓐ`) that Python does not;
//! - `\d` (`str.isdecimal()`, category Nd): numeric and not alphabetic (which drops Nl, e.g.
//!   Roman numerals), minus the Latin-1 superscripts and fractions and the symbol blocks
//!   U+2000–U+33FF, which hold no decimal digit; other `No` characters (e.g. Ethiopic digits,
//!   circled numbers outside that range) still count as digits here;
//! - `\s`: `char::is_whitespace` plus `\x1c`–`\x1f`, which is Python's set exactly;
//! - case: ASCII letters, and the four other characters whose simple case mapping is an
//!   ASCII letter (`İ`→`i`, `ı`→`I`, `ſ`→`S`, the Kelvin sign →`k`), so that any pattern is
//!   exact on a subject of DynamoDB's alphabet `[A-Za-z0-9_.-]` (with the `_casefix` pairs
//!   below). Other characters are caseless here (`é` does not match `É` under IGNORECASE):
//!   Unicode's case tables would cost the component about 14 KB (docs/size.md).

/// `sre_lower_unicode`.
pub(super) fn lower(c: u32) -> u32 {
    match c {
        0x41..=0x5a => c + 32,
        0x130 => 0x69,  // İ -> i
        0x212a => 0x6b, // Kelvin sign -> k
        _ => c,
    }
}

/// `sre_upper_unicode`.
pub(super) fn upper(c: u32) -> u32 {
    match c {
        0x61..=0x7a => c - 32,
        0x131 => 0x49, // ı -> I
        0x17f => 0x53, // ſ -> S
        _ => c,
    }
}

/// `_sre.unicode_iscased`.
pub(super) fn is_cased(c: u32) -> bool {
    lower(c) != c || upper(c) != c
}

/// `sre_lower_ascii`.
pub(super) fn lower_ascii(c: u32) -> u32 {
    if (b'A' as u32..=b'Z' as u32).contains(&c) {
        c + 32
    } else {
        c
    }
}

/// `_sre.ascii_iscased`.
pub(super) fn is_cased_ascii(c: u32) -> bool {
    c < 128 && (c as u8).is_ascii_alphabetic()
}

/// CPython 3.11 `re/_casefix.py` `_EXTRA_CASES`: lowercase characters that match other
/// lowercase characters case-insensitively because they share an uppercase form (`i`/`ı`,
/// `s`/`ſ`, `µ`/`μ`, Greek symbol variants, Cyrillic/Latin historic letters). Sorted by key.
const EXTRA_CASES: &[(u32, &[u32])] = &[
    (0x69, &[0x131]),
    (0x73, &[0x17f]),
    (0xb5, &[0x3bc]),
    (0x131, &[0x69]),
    (0x17f, &[0x73]),
    (0x345, &[0x3b9, 0x1fbe]),
    (0x390, &[0x1fd3]),
    (0x3b0, &[0x1fe3]),
    (0x3b2, &[0x3d0]),
    (0x3b5, &[0x3f5]),
    (0x3b8, &[0x3d1]),
    (0x3b9, &[0x345, 0x1fbe]),
    (0x3ba, &[0x3f0]),
    (0x3bc, &[0xb5]),
    (0x3c0, &[0x3d6]),
    (0x3c1, &[0x3f1]),
    (0x3c2, &[0x3c3]),
    (0x3c3, &[0x3c2]),
    (0x3c6, &[0x3d5]),
    (0x3d0, &[0x3b2]),
    (0x3d1, &[0x3b8]),
    (0x3d5, &[0x3c6]),
    (0x3d6, &[0x3c0]),
    (0x3f0, &[0x3ba]),
    (0x3f1, &[0x3c1]),
    (0x3f5, &[0x3b5]),
    (0x432, &[0x1c80]),
    (0x434, &[0x1c81]),
    (0x43e, &[0x1c82]),
    (0x441, &[0x1c83]),
    (0x442, &[0x1c84, 0x1c85]),
    (0x44a, &[0x1c86]),
    (0x463, &[0x1c87]),
    (0x1c80, &[0x432]),
    (0x1c81, &[0x434]),
    (0x1c82, &[0x43e]),
    (0x1c83, &[0x441]),
    (0x1c84, &[0x442, 0x1c85]),
    (0x1c85, &[0x442, 0x1c84]),
    (0x1c86, &[0x44a]),
    (0x1c87, &[0x463]),
    (0x1c88, &[0xa64b]),
    (0x1e61, &[0x1e9b]),
    (0x1e9b, &[0x1e61]),
    (0x1fbe, &[0x345, 0x3b9]),
    (0x1fd3, &[0x390]),
    (0x1fe3, &[0x3b0]),
    (0xa64b, &[0x1c88]),
    (0xfb05, &[0xfb06]),
    (0xfb06, &[0xfb05]),
];

/// The other lowercase characters equivalent to the lowercase `c` (`_EXTRA_CASES[c]`).
pub(super) fn extra_cases(c: u32) -> &'static [u32] {
    match EXTRA_CASES.binary_search_by_key(&c, |&(k, _)| k) {
        Ok(i) => EXTRA_CASES[i].1,
        Err(_) => &[],
    }
}

/// `\w`: `SRE_UNI_IS_WORD` (`str.isalnum() or '_'`) or `SRE_IS_WORD` (ASCII only).
pub(super) fn is_word(c: char, uni: bool) -> bool {
    c == '_'
        || if uni {
            c.is_alphanumeric()
        } else {
            c.is_ascii_alphanumeric()
        }
}

/// `\d`: `SRE_UNI_IS_DIGIT` (`str.isdecimal()`, approximated, see the module) or ASCII.
pub(super) fn is_digit(c: char, uni: bool) -> bool {
    if c.is_ascii() || !uni {
        return c.is_ascii_digit();
    }
    c.is_numeric()
        && !c.is_alphabetic()
        && !matches!(c as u32, 0xb2 | 0xb3 | 0xb9 | 0xbc..=0xbe | 0x2000..=0x33ff)
}

/// `\s`: `SRE_UNI_IS_SPACE` (`str.isspace()`) or `SRE_IS_SPACE` (ASCII only).
pub(super) fn is_space(c: char, uni: bool) -> bool {
    if uni {
        c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
    } else {
        matches!(c, ' ' | '\t'..='\r')
    }
}

/// `str.isidentifier()`: exact for ASCII; Unicode letters and digits stand in for
/// `XID_Start`/`XID_Continue` elsewhere.
pub(super) fn is_identifier(s: &str) -> bool {
    let mut cs = s.chars();
    match cs.next() {
        Some(c) if c == '_' || c.is_alphabetic() => cs.all(|c| c == '_' || c.is_alphanumeric()),
        _ => false,
    }
}

/// Python's `repr()` of a `str`, for error messages.
pub(super) fn repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::new();
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() || (c != ' ' && c.is_whitespace()) => {
                let n = c as u32;
                if n < 0x100 {
                    out.push_str(&format!("\\x{n:02x}"));
                } else if n < 0x10000 {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}
