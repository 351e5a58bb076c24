//! Decimal text to `f64` with serde_json's number parser, which the component already carries
//! for every JSON answer: core's `f64::from_str` would add its own tables and code (about
//! 14 KB). It reads JSON's number syntax, which is what DynamoDB's `N` values and the decimal
//! settings use.

/// The number `text` holds (surrounding whitespace allowed), if it is one in JSON's syntax or
/// one that people write by hand: a leading `+`, `.5`, `5.`.
pub fn parse_f64(text: &str) -> Option<f64> {
    let text = text.trim();
    let (sign, digits) = match text.as_bytes().first() {
        Some(b'-') => ("-", &text[1..]),
        Some(b'+') => ("", &text[1..]),
        _ => ("", text),
    };
    if !digits.starts_with(|c: char| c == '.' || c.is_ascii_digit())
        || !digits.bytes().any(|b| b.is_ascii_digit())
    {
        return None;
    }
    let mut json = String::with_capacity(text.len() + 2);
    json.push_str(sign);
    if digits.starts_with('.') {
        json.push('0');
    }
    json.push_str(digits);
    if digits.ends_with('.') {
        json.push('0');
    }
    json.parse::<serde_json::Number>().ok()?.as_f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_dynamodb_and_the_settings_write() {
        assert_eq!(parse_f64("12"), Some(12.0));
        assert_eq!(parse_f64(" -1.5 "), Some(-1.5));
        assert_eq!(parse_f64("1E+2"), Some(100.0));
        assert_eq!(parse_f64("0.01"), Some(0.01));
        assert_eq!(
            parse_f64("12345678901234567890123456789012345678"),
            Some(1.2345678901234568e37)
        );
        assert_eq!(parse_f64("+2"), Some(2.0));
        assert_eq!(parse_f64(".5"), Some(0.5));
        assert_eq!(parse_f64("-.5"), Some(-0.5));
        assert_eq!(parse_f64("5."), Some(5.0));
        for bad in [
            "", "abc", ".", "-", "+-1", "--1", "NaN", "inf", "1 2", "0x10",
        ] {
            assert_eq!(parse_f64(bad), None, "{bad:?}");
        }
    }
}
