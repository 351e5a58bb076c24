//! Value recognisers and [`ValueStats`], the counters they feed. A value is looked at once, in
//! [`ValueStats::observe_string`] or [`ValueStats::observe_number`], and only the count of the
//! recognisers it matched is kept.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::{Finding, Sensitivity, checks};

/// Longer values are counted but not recognised, except by the token recognisers below.
const MAX_RECOGNISED_CHARS: usize = 256;
/// JSON web tokens and PEM keys are usually longer than [`MAX_RECOGNISED_CHARS`]; these bound
/// the work spent on them.
const MAX_JWT_BYTES: usize = 4096;
const PEM_HEADER_BYTES: usize = 64;
/// A recogniser matching fewer of the values than this is noise, not a finding.
const MIN_SHARE: f64 = 0.25;
/// `n / (n + SMALL_SAMPLE_DAMPING)` discounts small samples: four values can reach 76 at most,
/// five reach 80, fifty 97.5.
const SMALL_SAMPLE_DAMPING: f64 = 1.25;
/// Values that stand for "no value" and count as empty.
const PLACEHOLDERS: &[&str] = &[
    "-",
    "--",
    "?",
    "n/a",
    "na",
    "none",
    "null",
    "nil",
    "undefined",
    "unknown",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Recogniser {
    Email,
    Phone,
    PaymentCard,
    Iban,
    IpAddress,
    MacAddress,
    UsSsn,
    UkNino,
    EsDniNie,
    ItCodiceFiscale,
    NlBsn,
    InAadhaar,
    SePersonnummer,
    FiHetu,
    FrNir,
    AwsAccessKey,
    ApiToken,
    Jwt,
    PrivateKey,
    PasswordHash,
    Url,
    /// ISO 8601 and common day-month-year dates: no finding of its own, only evidence for a
    /// date-of-birth name.
    Date,
}

struct Spec {
    id: &'static str,
    what: &'static str,
    /// `None`: evidence only, never a finding by itself.
    sensitivity: Option<Sensitivity>,
    /// How much a match can be trusted, 0..=1: 1 for checksums with negligible false positives,
    /// lower for bare shapes and weak checksums.
    strength: f64,
}

impl Recogniser {
    pub(crate) const ALL: [Recogniser; 22] = [
        Recogniser::Email,
        Recogniser::Phone,
        Recogniser::PaymentCard,
        Recogniser::Iban,
        Recogniser::IpAddress,
        Recogniser::MacAddress,
        Recogniser::UsSsn,
        Recogniser::UkNino,
        Recogniser::EsDniNie,
        Recogniser::ItCodiceFiscale,
        Recogniser::NlBsn,
        Recogniser::InAadhaar,
        Recogniser::SePersonnummer,
        Recogniser::FiHetu,
        Recogniser::FrNir,
        Recogniser::AwsAccessKey,
        Recogniser::ApiToken,
        Recogniser::Jwt,
        Recogniser::PrivateKey,
        Recogniser::PasswordHash,
        Recogniser::Url,
        Recogniser::Date,
    ];
    const COUNT: usize = Self::ALL.len();

    /// The national identity numbers.
    pub(crate) const NATIONAL_IDS: &'static [Recogniser] = &[
        Recogniser::UsSsn,
        Recogniser::UkNino,
        Recogniser::EsDniNie,
        Recogniser::ItCodiceFiscale,
        Recogniser::NlBsn,
        Recogniser::InAadhaar,
        Recogniser::SePersonnummer,
        Recogniser::FiHetu,
        Recogniser::FrNir,
    ];

    /// Secrets and what gives access.
    pub(crate) const CREDENTIALS: &'static [Recogniser] = &[
        Recogniser::AwsAccessKey,
        Recogniser::ApiToken,
        Recogniser::Jwt,
        Recogniser::PrivateKey,
        Recogniser::PasswordHash,
    ];

    fn spec(self) -> Spec {
        use Sensitivity::{NonSensitive, Sensitive};
        let (id, what, sensitivity, strength) = match self {
            Recogniser::Email => ("value:email", "email address", Some(Sensitive), 1.0),
            Recogniser::Phone => ("value:phone", "phone number", Some(NonSensitive), 0.85),
            Recogniser::PaymentCard => (
                "value:payment-card",
                "payment card number",
                Some(Sensitive),
                1.0,
            ),
            Recogniser::Iban => ("value:iban", "IBAN", Some(Sensitive), 1.0),
            Recogniser::IpAddress => ("value:ip-address", "IP address", Some(Sensitive), 0.95),
            Recogniser::MacAddress => ("value:mac-address", "MAC address", Some(Sensitive), 0.9),
            Recogniser::UsSsn => (
                "value:us-ssn",
                "US social security number",
                Some(Sensitive),
                0.7,
            ),
            Recogniser::UkNino => (
                "value:uk-nino",
                "UK national insurance number",
                Some(Sensitive),
                0.85,
            ),
            Recogniser::EsDniNie => ("value:es-dni", "Spanish DNI/NIE", Some(Sensitive), 0.9),
            Recogniser::ItCodiceFiscale => (
                "value:it-fiscal-code",
                "Italian codice fiscale",
                Some(Sensitive),
                1.0,
            ),
            Recogniser::NlBsn => ("value:nl-bsn", "Dutch BSN", Some(Sensitive), 0.5),
            Recogniser::InAadhaar => (
                "value:in-aadhaar",
                "Indian Aadhaar number",
                Some(Sensitive),
                0.7,
            ),
            Recogniser::SePersonnummer => (
                "value:se-personnummer",
                "Swedish personnummer",
                Some(Sensitive),
                0.9,
            ),
            Recogniser::FiHetu => ("value:fi-hetu", "Finnish HETU", Some(Sensitive), 1.0),
            Recogniser::FrNir => ("value:fr-nir", "French NIR", Some(Sensitive), 0.95),
            Recogniser::AwsAccessKey => (
                "value:aws-access-key",
                "AWS access key id",
                Some(Sensitive),
                1.0,
            ),
            Recogniser::ApiToken => ("value:api-token", "API token", Some(Sensitive), 1.0),
            Recogniser::Jwt => ("value:jwt", "JSON web token", Some(Sensitive), 0.95),
            Recogniser::PrivateKey => ("value:private-key", "private key", Some(Sensitive), 1.0),
            Recogniser::PasswordHash => {
                ("value:password-hash", "password hash", Some(Sensitive), 1.0)
            }
            Recogniser::Url => ("value:url", "URL", Some(NonSensitive), 0.9),
            Recogniser::Date => ("value:date", "date", None, 0.9),
        };
        Spec {
            id,
            what,
            sensitivity,
            strength,
        }
    }

    pub(crate) fn id(self) -> &'static str {
        self.spec().id
    }

    fn bit(self) -> u32 {
        1 << self as u32
    }
}

/// A recogniser's result over a column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Scored {
    pub recogniser: Recogniser,
    /// Matching values / non-empty values.
    pub share: f64,
    pub confidence: u8,
}

impl Scored {
    /// `None` for evidence-only recognisers.
    pub(crate) fn finding(&self) -> Option<Finding> {
        let spec = self.recogniser.spec();
        Some(Finding {
            sensitivity: spec.sensitivity?,
            recogniser: spec.id,
            what: spec.what,
            confidence: self.confidence,
        })
    }
}

/// Counters over the sampled values of one column. Feed every sampled scalar value; only counts
/// per recogniser are kept, never the values.
#[derive(Clone, Default)]
pub struct ValueStats {
    observed: u32,
    /// Observed values that are not empty, blank or a placeholder such as `N/A`.
    considered: u32,
    numbers: u32,
    matches: [u32; Recogniser::COUNT],
}

impl ValueStats {
    pub fn observe_string(&mut self, value: &str) {
        self.observed = self.observed.saturating_add(1);
        let value = value.trim();
        if is_placeholder(value) {
            return;
        }
        self.considered = self.considered.saturating_add(1);
        self.count(recognise_text(value));
    }

    /// DynamoDB numbers arrive as decimal strings, e.g. `4111111111111111` or `-1.5e3`.
    pub fn observe_number(&mut self, literal: &str) {
        self.observed = self.observed.saturating_add(1);
        self.numbers = self.numbers.saturating_add(1);
        self.considered = self.considered.saturating_add(1);
        if let Some(digits) = integer_digits(literal) {
            self.count(recognise_digits(&digits));
        }
    }

    /// Values observed, empty ones included.
    pub fn observed(&self) -> u32 {
        self.observed
    }

    /// Values observed that are neither empty nor placeholders: the denominator of the shares.
    pub fn considered(&self) -> u32 {
        self.considered
    }

    /// Values observed as numbers.
    pub fn numbers(&self) -> u32 {
        self.numbers
    }

    /// The best value-based finding, if any recogniser matched enough of the values.
    pub fn finding(&self) -> Option<Finding> {
        self.best(&[])?.finding()
    }

    /// How many values matched the recogniser with this id (`"value:email"`, …).
    pub fn matched(&self, recogniser_id: &str) -> u32 {
        Recogniser::ALL
            .iter()
            .find(|r| r.id() == recogniser_id)
            .map_or(0, |r| self.matches[*r as usize])
    }

    /// The best finding among the recognisers not `excluded`. On equal confidence a Sensitive
    /// finding wins, then the one listed first.
    pub(crate) fn best(&self, excluded: &[Recogniser]) -> Option<Scored> {
        let mut best: Option<Scored> = None;
        for recogniser in Recogniser::ALL {
            if recogniser.spec().sensitivity.is_none() || excluded.contains(&recogniser) {
                continue;
            }
            let Some(scored) = self.score(recogniser) else {
                continue;
            };
            if best.is_none_or(|b| outranks(&scored, &b)) {
                best = Some(scored);
            }
        }
        best
    }

    /// The best score among `recognisers`, evidence-only ones included.
    pub(crate) fn best_among(&self, recognisers: &[Recogniser]) -> Option<Scored> {
        recognisers.iter().filter_map(|r| self.score(*r)).fold(
            None,
            |best: Option<Scored>, scored| {
                Some(match best {
                    Some(b) if b.confidence >= scored.confidence => b,
                    _ => scored,
                })
            },
        )
    }

    /// The share of values matching the recogniser and the confidence it earns; `None` below
    /// [`MIN_SHARE`].
    pub(crate) fn score(&self, recogniser: Recogniser) -> Option<Scored> {
        let share = self.share(recogniser);
        if share < MIN_SHARE {
            return None;
        }
        let considered = f64::from(self.considered);
        let sample_factor = considered / (considered + SMALL_SAMPLE_DAMPING);
        let confidence = 100.0 * recogniser.spec().strength * share * sample_factor;
        Some(Scored {
            recogniser,
            share,
            confidence: confidence.round().clamp(0.0, 100.0) as u8,
        })
    }

    pub(crate) fn share(&self, recogniser: Recogniser) -> f64 {
        if self.considered == 0 {
            return 0.0;
        }
        f64::from(self.matches[recogniser as usize]) / f64::from(self.considered)
    }

    fn count(&mut self, matched: u32) {
        for recogniser in Recogniser::ALL {
            if matched & recogniser.bit() != 0 {
                let counter = &mut self.matches[recogniser as usize];
                *counter = counter.saturating_add(1);
            }
        }
    }
}

fn outranks(candidate: &Scored, incumbent: &Scored) -> bool {
    let sensitive = |s: &Scored| s.recogniser.spec().sensitivity == Some(Sensitivity::Sensitive);
    candidate.confidence > incumbent.confidence
        || (candidate.confidence == incumbent.confidence
            && sensitive(candidate)
            && !sensitive(incumbent))
}

/// Counters only: the recognisers that matched, by id, and how often.
impl fmt::Debug for ValueStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct MatchCounts<'a>(&'a [u32; Recogniser::COUNT]);
        impl fmt::Debug for MatchCounts<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map()
                    .entries(
                        Recogniser::ALL
                            .iter()
                            .zip(self.0)
                            .filter(|(_, count)| **count > 0)
                            .map(|(recogniser, count)| (recogniser.id(), count)),
                    )
                    .finish()
            }
        }
        f.debug_struct("ValueStats")
            .field("observed", &self.observed)
            .field("considered", &self.considered)
            .field("numbers", &self.numbers)
            .field("matches", &MatchCounts(&self.matches))
            .finish()
    }
}

fn is_placeholder(trimmed: &str) -> bool {
    trimmed.is_empty()
        || (trimmed.len() <= 9 && PLACEHOLDERS.iter().any(|p| p.eq_ignore_ascii_case(trimmed)))
}

type TextCheck = (Recogniser, fn(&str) -> bool);
type DigitCheck = (Recogniser, fn(&[u8]) -> bool);

/// The recognisers a trimmed, non-empty string matches, as a bit set.
fn recognise_text(value: &str) -> u32 {
    if value.chars().nth(MAX_RECOGNISED_CHARS).is_some() {
        return recognise_long_text(value);
    }
    let bytes = value.as_bytes();
    if bytes.iter().all(u8::is_ascii_digit) {
        return recognise_digits(bytes);
    }
    let text_checks: [TextCheck; 21] = [
        (Recogniser::Email, is_email),
        (Recogniser::Phone, is_phone_number),
        (Recogniser::PaymentCard, is_payment_card),
        (Recogniser::Iban, is_iban),
        (Recogniser::IpAddress, is_ip_address),
        (Recogniser::MacAddress, is_mac_address),
        (Recogniser::UsSsn, is_us_ssn),
        (Recogniser::UkNino, is_uk_nino),
        (Recogniser::EsDniNie, is_es_dni_or_nie),
        (Recogniser::ItCodiceFiscale, is_it_codice_fiscale),
        (Recogniser::NlBsn, is_nl_bsn),
        (Recogniser::InAadhaar, is_in_aadhaar),
        (Recogniser::SePersonnummer, is_se_personnummer),
        (Recogniser::FiHetu, is_fi_hetu),
        (Recogniser::FrNir, is_fr_nir),
        (Recogniser::AwsAccessKey, is_aws_access_key_id),
        (Recogniser::ApiToken, is_api_token),
        (Recogniser::Jwt, is_jwt),
        (Recogniser::PrivateKey, is_pem_private_key),
        (Recogniser::PasswordHash, is_password_hash),
        (Recogniser::Url, is_url),
    ];
    let mut matched = 0;
    for (recogniser, check) in text_checks {
        if check(value) {
            matched |= recogniser.bit();
        }
    }
    if is_date(value) {
        matched |= Recogniser::Date.bit();
    }
    without_phone_if_claimed(matched)
}

/// A phone number is only a shape: a value another recogniser claims (a grouped Aadhaar, a
/// dotted BSN, a MAC with dashes) is not counted as one.
fn without_phone_if_claimed(matched: u32) -> u32 {
    let others = matched & !(Recogniser::Phone.bit() | Recogniser::Date.bit());
    if others != 0 {
        matched & !Recogniser::Phone.bit()
    } else {
        matched
    }
}

fn recognise_long_text(value: &str) -> u32 {
    let mut matched = 0;
    if is_pem_private_key(value) {
        matched |= Recogniser::PrivateKey.bit();
    }
    if value.len() <= MAX_JWT_BYTES && is_jwt(value) {
        matched |= Recogniser::Jwt.bit();
    }
    matched
}

/// The recognisers a bare run of decimal digits matches, whether it came as a string or as a
/// number.
fn recognise_digits(digits: &[u8]) -> u32 {
    let digit_checks: [DigitCheck; 6] = [
        (Recogniser::PaymentCard, is_payment_card_digits),
        (Recogniser::InAadhaar, is_aadhaar_digits),
        (Recogniser::NlBsn, checks::bsn_eleven_proof),
        (Recogniser::FrNir, is_nir_compact),
        (Recogniser::SePersonnummer, is_personnummer_twelve_digits),
        (Recogniser::Date, is_compact_date),
    ];
    let mut matched = 0;
    for (recogniser, check) in digit_checks {
        if check(digits) {
            matched |= recogniser.bit();
        }
    }
    matched
}

/// The digits of a number literal that denotes a non-negative integer (`4111111111111111`,
/// `4.111111111111111E15`), without leading zeros. `None` for fractions, negatives and
/// anything longer than DynamoDB's 38 significant digits allow.
fn integer_digits(literal: &str) -> Option<Vec<u8>> {
    const MAX_DIGITS: usize = 40;
    let literal = literal.trim();
    let literal = literal.strip_prefix('+').unwrap_or(literal);
    let (mantissa, exponent) = match literal.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, parse_exponent(exponent)?),
        None => (literal, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.len() + fraction.len() == 0 || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let mut digits: Vec<u8> = whole.bytes().chain(fraction.bytes()).collect();
    let shift = exponent - fraction.len() as i64;
    if shift >= 0 {
        if digits.len() as i64 + shift > MAX_DIGITS as i64 {
            return None;
        }
        digits.extend(std::iter::repeat_n(b'0', shift as usize));
    } else {
        let keep = digits.len().checked_sub(shift.unsigned_abs() as usize)?;
        if digits[keep..].iter().any(|&b| b != b'0') {
            return None;
        }
        digits.truncate(keep);
    }
    let first_significant = digits.iter().position(|&b| b != b'0');
    let digits = match first_significant {
        Some(start) => digits.split_off(start),
        None => vec![b'0'],
    };
    (digits.len() <= MAX_DIGITS).then_some(digits)
}

fn parse_exponent(exponent: &str) -> Option<i64> {
    let unsigned = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
    if unsigned.is_empty() || unsigned.len() > 3 || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    exponent.parse().ok()
}

// --- email, URL, network ---

fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    is_email_local_part(local) && is_domain_name(domain)
}

fn is_email_local_part(local: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+/=?^_`{|}~-.";
    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || SPECIALS.contains(c))
}

/// At least two labels; the top-level one alphabetic (or an IDNA `xn--` label).
fn is_domain_name(domain: &str) -> bool {
    if domain.is_empty() || domain.len() > 253 {
        return false;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let Some(top_level) = labels.last() else {
        return false;
    };
    labels.len() >= 2
        && labels.iter().all(|label| is_domain_label(label))
        && top_level.chars().count() >= 2
        && (top_level.chars().all(char::is_alphabetic) || top_level.starts_with("xn--"))
}

fn is_domain_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label.chars().all(|c| c.is_alphanumeric() || c == '-')
}

/// `http` or `https`, a host (domain, `localhost`, IPv4 or bracketed IPv6), an optional port,
/// then anything without whitespace. URLs with user info are not taken.
fn is_url(value: &str) -> bool {
    let Some(rest) = strip_prefix_ignore_case(value, "https://")
        .or_else(|| strip_prefix_ignore_case(value, "http://"))
    else {
        return false;
    };
    if rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    !authority.contains('@') && is_url_authority(authority)
}

fn strip_prefix_ignore_case<'a>(value: &'a str, prefix: &str) -> Option<&'a str> {
    let head = value.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &value[prefix.len()..])
}

fn is_url_authority(authority: &str) -> bool {
    if let Some(bracketed) = authority.strip_prefix('[') {
        let Some((host, after)) = bracketed.split_once(']') else {
            return false;
        };
        return host.parse::<Ipv6Addr>().is_ok()
            && (after.is_empty() || after.strip_prefix(':').is_some_and(is_port));
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    if port.is_some_and(|p| !is_port(p)) {
        return false;
    }
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<Ipv4Addr>().is_ok()
        || is_domain_name(host)
}

fn is_port(port: &str) -> bool {
    !port.is_empty()
        && port.len() <= 5
        && port.bytes().all(|b| b.is_ascii_digit())
        && port.parse::<u32>().is_ok_and(|p| p <= 65_535)
}

/// Strict dotted-quad IPv4 (no leading zeros) or IPv6 as `std::net` parses them; the
/// unspecified addresses are placeholders, not addresses of anyone.
fn is_ip_address(value: &str) -> bool {
    if let Ok(v4) = value.parse::<Ipv4Addr>() {
        return !v4.is_unspecified();
    }
    value.contains(':')
        && value
            .parse::<Ipv6Addr>()
            .is_ok_and(|v6| !v6.is_unspecified())
}

/// `01:23:45:67:89:ab`, `01-23-45-67-89-AB` or Cisco's `0123.4567.89ab`; all-zero and broadcast
/// addresses are not a device's.
fn is_mac_address(value: &str) -> bool {
    let bytes = value.as_bytes();
    let hex_digits: Vec<u8> = match bytes.len() {
        17 => {
            let separator = bytes[2];
            if separator != b':' && separator != b'-' {
                return false;
            }
            let separators_ok = (2..17).step_by(3).all(|i| bytes[i] == separator);
            if !separators_ok {
                return false;
            }
            bytes
                .chunks(3)
                .flat_map(|pair| pair.iter().take(2))
                .copied()
                .collect()
        }
        14 => {
            if bytes[4] != b'.' || bytes[9] != b'.' {
                return false;
            }
            bytes.iter().copied().filter(|&b| b != b'.').collect()
        }
        _ => return false,
    };
    hex_digits.len() == 12
        && hex_digits.iter().all(u8::is_ascii_hexdigit)
        && !hex_digits.iter().all(|&b| b == b'0')
        && !hex_digits.iter().all(|b| b.eq_ignore_ascii_case(&b'f'))
}

// --- phone numbers ---

/// E.164 (`+` and 8–15 digits) or a national number of 9–14 digits written with separators.
/// Bare digit runs are ids far more often than phone numbers and are not taken; neither are
/// dates, dotted quads, thousands-grouped numbers or the SSN's 3-2-4 grouping.
fn is_phone_number(value: &str) -> bool {
    let (international, rest) = match value.strip_prefix('+') {
        Some(rest) => (true, rest.replacen("(0)", "", 1)),
        None => (false, value.to_string()),
    };
    PhoneShape::parse(rest.as_bytes()).is_some_and(|shape| shape.is_plausible(international))
}

#[derive(Debug, Default)]
struct PhoneShape {
    /// Digits per group, in order.
    groups: Vec<usize>,
    first_digit: u8,
    all_digits_equal: bool,
    parenthesised: bool,
    /// `-` or `.`, whichever is used (spaces may be mixed with either).
    dash_or_dot: Option<u8>,
}

impl PhoneShape {
    fn parse(bytes: &[u8]) -> Option<PhoneShape> {
        let mut shape = PhoneShape {
            all_digits_equal: true,
            ..PhoneShape::default()
        };
        let mut run = 0;
        let mut inside_parens = false;
        let mut previous: Option<u8> = None;
        for (index, &byte) in bytes.iter().enumerate() {
            if byte.is_ascii_digit() {
                shape.note_digit(byte);
                run += 1;
                previous = Some(byte);
                continue;
            }
            if run > 0 {
                shape.groups.push(run);
                run = 0;
            }
            let after_digit = previous.is_some_and(|b| b.is_ascii_digit());
            match byte {
                b'(' => {
                    let before_digit = bytes.get(index + 1).is_some_and(u8::is_ascii_digit);
                    if shape.parenthesised || after_digit || !before_digit {
                        return None;
                    }
                    shape.parenthesised = true;
                    inside_parens = true;
                }
                b')' => {
                    if !inside_parens || !after_digit {
                        return None;
                    }
                    inside_parens = false;
                }
                b' ' | b'-' | b'.' => {
                    let after_paren = matches!(previous, Some(b'(' | b')'));
                    if !after_digit && !after_paren {
                        return None;
                    }
                    if byte != b' ' {
                        if shape.dash_or_dot.is_some_and(|used| used != byte) {
                            return None;
                        }
                        shape.dash_or_dot = Some(byte);
                    }
                }
                _ => return None,
            }
            previous = Some(byte);
        }
        if run == 0 || inside_parens {
            return None;
        }
        shape.groups.push(run);
        Some(shape)
    }

    fn note_digit(&mut self, digit: u8) {
        if self.groups.is_empty() && self.first_digit == 0 {
            self.first_digit = digit;
        } else if digit != self.first_digit {
            self.all_digits_equal = false;
        }
    }

    fn is_plausible(&self, international: bool) -> bool {
        let digits: usize = self.groups.iter().sum();
        let last_group = self.groups.last().copied().unwrap_or(0);
        if self.all_digits_equal || last_group < 2 || self.groups.len() > 8 {
            return false;
        }
        if international {
            return (8..=15).contains(&digits)
                && self.first_digit != b'0'
                && (self.groups.len() == 1 || self.groups[0] <= 3);
        }
        (9..=14).contains(&digits)
            && self.groups.len() >= 2
            && self.groups.iter().all(|&g| g <= 8)
            && !self.is_dotted_quad()
            && !self.is_ssn_grouping()
            && !self.is_thousands_grouping()
            && (self.groups.len() >= 3
                || self.parenthesised
                || (self.first_digit == b'0' && self.dash_or_dot != Some(b'.')))
    }

    fn is_dotted_quad(&self) -> bool {
        self.dash_or_dot == Some(b'.')
            && self.groups.len() == 4
            && self.groups.iter().all(|&g| g <= 3)
    }

    fn is_ssn_grouping(&self) -> bool {
        self.groups == [3, 2, 4]
    }

    fn is_thousands_grouping(&self) -> bool {
        !self.parenthesised
            && self.groups.len() >= 3
            && self.groups[0] <= 3
            && self.groups[1..].iter().all(|&g| g == 3)
    }
}

// --- payment cards, IBAN ---

/// Digits separated by single spaces or single dashes (one kind), e.g. `4111 1111 1111 1111`:
/// the digits and the size of each group.
fn separated_digits(value: &str) -> Option<(Vec<u8>, Vec<usize>)> {
    let mut digits = Vec::with_capacity(value.len());
    let mut groups = Vec::new();
    let mut run = 0;
    let mut separator: Option<u8> = None;
    for byte in value.bytes() {
        if byte.is_ascii_digit() {
            digits.push(byte);
            run += 1;
            continue;
        }
        if !matches!(byte, b' ' | b'-') || run == 0 || separator.is_some_and(|s| s != byte) {
            return None;
        }
        separator = Some(byte);
        groups.push(run);
        run = 0;
    }
    if run == 0 {
        return None;
    }
    groups.push(run);
    Some((digits, groups))
}

fn is_payment_card(value: &str) -> bool {
    separated_digits(value).is_some_and(|(digits, _)| is_payment_card_digits(&digits))
}

/// 13–19 digits, an issuer prefix of a major network with a length it issues, and the Luhn
/// check. Maestro's wide 50/56–69 range is left out: it would take too many ids.
fn is_payment_card_digits(digits: &[u8]) -> bool {
    (13..=19).contains(&digits.len())
        && !all_equal(digits)
        && issuer_accepts(digits)
        && checks::luhn_valid(digits)
}

fn issuer_accepts(digits: &[u8]) -> bool {
    let prefix = |n: usize| checks::decimal(&digits[..n]).unwrap_or(0);
    let length = digits.len();
    let (p1, p2, p3, p4) = (prefix(1), prefix(2), prefix(3), prefix(4));
    let visa = p1 == 4 && matches!(length, 13 | 16 | 19);
    let mastercard = ((51..=55).contains(&p2) || (2221..=2720).contains(&p4)) && length == 16;
    let amex = (p2 == 34 || p2 == 37) && length == 15;
    let discover =
        (p4 == 6011 || (644..=649).contains(&p3) || p2 == 65) && (16..=19).contains(&length);
    let jcb = (3528..=3589).contains(&p4) && (16..=19).contains(&length);
    let diners = ((300..=305).contains(&p3) || p4 == 3095 || matches!(p2, 36 | 38 | 39))
        && (14..=19).contains(&length);
    let unionpay = p2 == 62 && (16..=19).contains(&length);
    visa || mastercard || amex || discover || jcb || diners || unionpay
}

/// IBAN lengths per country (ISO 13616 registry): all SEPA countries, GB and other common ones.
const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BR", 29),
    ("BY", 28),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IQ", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LC", 32),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("LY", 25),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NL", 18),
    ("NO", 15),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("SA", 24),
    ("SC", 31),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("ST", 25),
    ("SV", 28),
    ("TL", 23),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VA", 22),
    ("VG", 24),
    ("XK", 20),
];

/// Country code, check digits 02–98, a BBAN of the country's length, mod-97 = 1. Written
/// compact or in groups of four.
fn is_iban(value: &str) -> bool {
    let Some(compact) = compact_iban(value) else {
        return false;
    };
    let Some(expected_length) = IBAN_LENGTHS
        .iter()
        .find(|(country, _)| country.as_bytes() == &compact[..2])
        .map(|(_, length)| *length)
    else {
        return false;
    };
    let check_digits = checks::decimal(&compact[2..4]);
    compact.len() == expected_length
        && check_digits.is_some_and(|c| (2..=98).contains(&c))
        && compact[4..].iter().all(u8::is_ascii_alphanumeric)
        && checks::iban_mod97_valid(&compact)
}

fn compact_iban(value: &str) -> Option<Vec<u8>> {
    if !value.is_ascii() || value.len() < 15 {
        return None;
    }
    let groups: Vec<&str> = value.split(' ').collect();
    let (last, full) = groups.split_last()?;
    let compact_or_grouped_by_four =
        full.is_empty() || (full.iter().all(|g| g.len() == 4) && (1..=4).contains(&last.len()));
    if !compact_or_grouped_by_four {
        return None;
    }
    let compact: Vec<u8> = groups
        .concat()
        .bytes()
        .map(|b| b.to_ascii_uppercase())
        .collect();
    let country_is_letters = compact.len() >= 15 && compact[..2].iter().all(u8::is_ascii_uppercase);
    country_is_letters.then_some(compact)
}

// --- national identity numbers ---

/// `AAA-GG-SSSS` (dashes or spaces), none of the never-issued area 000, 666, 900–999, group 00
/// or serial 0000, and not the two numbers famous from advertising.
fn is_us_ssn(value: &str) -> bool {
    const ADVERTISED: &[&[u8]] = &[b"078051120", b"219099999"];
    let bytes = value.as_bytes();
    if bytes.len() != 11 || bytes[3] != bytes[6] || !matches!(bytes[3], b'-' | b' ') {
        return false;
    }
    let digits: Vec<u8> = [&bytes[0..3], &bytes[4..6], &bytes[7..11]].concat();
    let (Some(area), Some(group), Some(serial)) = (
        checks::decimal(&digits[0..3]),
        checks::decimal(&digits[3..5]),
        checks::decimal(&digits[5..9]),
    ) else {
        return false;
    };
    area != 0
        && area != 666
        && area < 900
        && group != 0
        && serial != 0
        && !ADVERTISED.contains(&digits.as_slice())
}

/// Two prefix letters (not D, F, I, Q, U, V; the second not O either; not BG, GB, KN, NK, NT,
/// TN, ZZ), six digits, suffix A–D; spaces anywhere. There is no check digit.
fn is_uk_nino(value: &str) -> bool {
    const BAD_PREFIXES: &[&[u8]] = &[b"BG", b"GB", b"KN", b"NK", b"NT", b"TN", b"ZZ"];
    let compact: Vec<u8> = value
        .bytes()
        .filter(|&b| b != b' ')
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if compact.len() != 9 {
        return false;
    }
    let (first, second) = (compact[0], compact[1]);
    first.is_ascii_uppercase()
        && second.is_ascii_uppercase()
        && !b"DFIQUV".contains(&first)
        && !b"DFIOQUV".contains(&second)
        && !BAD_PREFIXES.contains(&&compact[..2])
        && compact[2..8].iter().all(u8::is_ascii_digit)
        && (b'A'..=b'D').contains(&compact[8])
}

/// DNI: eight digits and the check letter; NIE: X, Y or Z, seven digits and the check letter
/// (X, Y, Z counting as 0, 1, 2). One dash or space may precede the letter.
fn is_es_dni_or_nie(value: &str) -> bool {
    let bytes = value.as_bytes();
    let compact: Vec<u8> = match bytes.len() {
        9 => bytes.to_ascii_uppercase(),
        10 if matches!(bytes[8], b'-' | b' ') => {
            [&bytes[..8], &bytes[9..]].concat().to_ascii_uppercase()
        }
        _ => return false,
    };
    let letter = compact[8];
    let number = match compact[0] {
        prefix @ (b'X' | b'Y' | b'Z') => {
            checks::decimal(&compact[1..8]).map(|n| u64::from(prefix - b'X') * 10_000_000 + n)
        }
        _ => checks::decimal(&compact[..8]),
    };
    number.is_some_and(|n| n != 0 && checks::dni_letter(n) == letter)
}

/// 16 characters: surname and name letters, year, month letter, day (+40 for women),
/// municipality, check letter. Digits may be replaced by the omocodia letters L–V.
fn is_it_codice_fiscale(value: &str) -> bool {
    const MONTH_LETTERS: &[u8] = b"ABCDEHLMPRST";
    let code = value.as_bytes().to_ascii_uppercase();
    if code.len() != 16 {
        return false;
    }
    let letters_at = |range: std::ops::Range<usize>| code[range].iter().all(u8::is_ascii_uppercase);
    let digits_at =
        |positions: &[usize]| positions.iter().all(|&i| omocodia_digit(code[i]).is_some());
    let day = omocodia_digit(code[9])
        .zip(omocodia_digit(code[10]))
        .map(|(tens, units)| tens * 10 + units);
    letters_at(0..6)
        && digits_at(&[6, 7, 9, 10, 12, 13, 14])
        && MONTH_LETTERS.contains(&code[8])
        && day.is_some_and(|d| (1..=31).contains(&d) || (41..=71).contains(&d))
        && code[11].is_ascii_uppercase()
        && checks::codice_fiscale_check_letter(&code[..15]) == Some(code[15])
}

/// A digit, or the letter that replaces it when two people would get the same code.
fn omocodia_digit(byte: u8) -> Option<u32> {
    const OMOCODIA: &[u8; 10] = b"LMNPQRSTUV";
    checks::digit(byte).or_else(|| OMOCODIA.iter().position(|&l| l == byte).map(|p| p as u32))
}

/// A BSN written `1234.56.782`; bare, it is nine digits passing the 11-proof (see
/// [`recognise_digits`]). One 9-digit number in eleven passes by chance, hence the
/// recogniser's low strength.
fn is_nl_bsn(value: &str) -> bool {
    let bytes = value.as_bytes();
    if bytes.len() == 11 && bytes[4] == b'.' && bytes[7] == b'.' {
        let digits = [&bytes[..4], &bytes[5..7], &bytes[8..]].concat();
        return checks::bsn_eleven_proof(&digits);
    }
    false
}

/// An Aadhaar written 4-4-4 with spaces or dashes; bare, it is twelve digits (see
/// [`recognise_digits`]).
fn is_in_aadhaar(value: &str) -> bool {
    separated_digits(value)
        .is_some_and(|(digits, groups)| groups == [4, 4, 4] && is_aadhaar_digits(&digits))
}

/// Twelve digits not starting with 0 or 1 (never issued), not all the same, Verhoeff-valid.
fn is_aadhaar_digits(digits: &[u8]) -> bool {
    digits.len() == 12
        && (b'2'..=b'9').contains(&digits[0])
        && !all_equal(digits)
        && checks::verhoeff_valid(digits)
}

/// `YYMMDD-NNNC`, `YYMMDD+NNNC` (+ once 100), `YYYYMMDD-NNNC`, or twelve bare digits
/// `YYYYMMDDNNNC`; Luhn over the ten digits from YYMMDD. Day + 60 is a coordination number.
/// Ten bare digits are not taken: they are phone numbers and ids too often.
fn is_se_personnummer(value: &str) -> bool {
    let bytes = value.as_bytes();
    match bytes.len() {
        11 if matches!(bytes[6], b'-' | b'+') => {
            let ten = [&bytes[..6], &bytes[7..]].concat();
            ten.iter().all(u8::is_ascii_digit)
                && personnummer_date_valid(None, &ten[..6])
                && checks::luhn_valid(&ten)
        }
        13 if matches!(bytes[8], b'-' | b'+') => {
            let twelve = [&bytes[..8], &bytes[9..]].concat();
            is_personnummer_twelve_digits(&twelve)
        }
        _ => false,
    }
}

fn is_personnummer_twelve_digits(digits: &[u8]) -> bool {
    if digits.len() != 12 || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let century = checks::decimal(&digits[..2]).unwrap_or(0);
    (18..=20).contains(&century)
        && personnummer_date_valid(Some(century as u32), &digits[2..8])
        && checks::luhn_valid(&digits[2..])
}

fn personnummer_date_valid(century: Option<u32>, yymmdd: &[u8]) -> bool {
    let number = |range: std::ops::Range<usize>| checks::decimal(&yymmdd[range]).map(|n| n as u32);
    let (Some(yy), Some(month), Some(day)) = (number(0..2), number(2..4), number(4..6)) else {
        return false;
    };
    let day = if day > 60 { day - 60 } else { day };
    // Without the century, assume a leap year so that 29 February is possible.
    let year = century.map_or(2000, |c| c * 100 + yy);
    is_valid_date(year, month, day)
}

/// `DDMMYYCZZZQ`: the century sign C (`+` 1800s; `-`, `U`–`Y` 1900s; `A`–`F` 2000s), the
/// individual number ZZZ 002–999 and the check character Q, the nine digits modulo 31.
fn is_fi_hetu(value: &str) -> bool {
    let hetu = value.as_bytes().to_ascii_uppercase();
    if hetu.len() != 11 {
        return false;
    }
    let century = match hetu[6] {
        b'+' => 1800,
        b'-' | b'U'..=b'Y' => 1900,
        b'A'..=b'F' => 2000,
        _ => return false,
    };
    let number = |range: std::ops::Range<usize>| checks::decimal(&hetu[range]);
    let (Some(day), Some(month), Some(yy), Some(individual)) =
        (number(0..2), number(2..4), number(4..6), number(7..10))
    else {
        return false;
    };
    let nine_digits = (day * 10_000 + month * 100 + yy) * 1000 + individual;
    is_valid_date(century + yy as u32, month as u32, day as u32)
        && individual >= 2
        && checks::hetu_check_character(nine_digits) == hetu[10]
}

/// The 15-character NIR, with or without spaces between its groups.
fn is_fr_nir(value: &str) -> bool {
    let compact: Vec<u8> = value
        .bytes()
        .filter(|&b| b != b' ')
        .map(|b| b.to_ascii_uppercase())
        .collect();
    compact.len() == 15 && is_nir_compact(&compact)
}

/// Sex 1 or 2 (temporary numbers 3, 4, 7, 8 are left out), year, month (01–12, or 20–42 and
/// 50–99 which INSEE uses when the month is unknown), department (01–99, 2A, 2B), commune,
/// order number, key = 97 − (first 13 digits mod 97), Corsica's 2A/2B counting as 19/18.
fn is_nir_compact(nir: &[u8]) -> bool {
    if nir.len() != 15 || !matches!(nir[0], b'1' | b'2') {
        return false;
    }
    let department: &[u8] = match &nir[5..7] {
        b"2A" => b"19",
        b"2B" => b"18",
        digits => digits,
    };
    let thirteen = [&nir[..5], department, &nir[7..13]].concat();
    let (Some(number), Some(month), Some(commune), Some(order), Some(key)) = (
        checks::decimal(&thirteen),
        checks::decimal(&nir[3..5]),
        checks::decimal(&nir[7..10]),
        checks::decimal(&nir[10..13]),
        checks::decimal(&nir[13..15]),
    ) else {
        return false;
    };
    let month_ok = (1..=12).contains(&month) || (20..=42).contains(&month) || month >= 50;
    month_ok && &nir[5..7] != b"00" && commune != 0 && order != 0 && checks::nir_key(number) == key
}

// --- credentials ---

/// Long-term (`AKIA`) and temporary (`ASIA`) access key ids: the prefix and 16 uppercase
/// letters or digits. Other AWS unique-id prefixes (AIDA, AROA, …) name principals, not keys.
fn is_aws_access_key_id(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() == 20
        && (bytes.starts_with(b"AKIA") || bytes.starts_with(b"ASIA"))
        && bytes[4..]
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

struct TokenFormat {
    prefix: &'static str,
    lengths: std::ops::RangeInclusive<usize>,
    extra_characters: &'static [u8],
}

/// Vendor tokens with a registered, greppable prefix.
const TOKEN_FORMATS: &[TokenFormat] = &[
    token_format("ghp_", 36, 36, b""),
    token_format("gho_", 36, 36, b""),
    token_format("ghu_", 36, 36, b""),
    token_format("ghs_", 36, 36, b""),
    token_format("ghr_", 36, 36, b""),
    token_format("github_pat_", 50, 255, b"_"),
    token_format("glpat-", 20, 64, b"_-"),
    token_format("xoxb-", 10, 250, b"-"),
    token_format("xoxp-", 10, 250, b"-"),
    token_format("xoxa-", 10, 250, b"-"),
    token_format("xoxr-", 10, 250, b"-"),
    token_format("xoxs-", 10, 250, b"-"),
    token_format("sk_live_", 16, 247, b""),
    token_format("rk_live_", 16, 247, b""),
    token_format("sk_test_", 16, 247, b""),
    token_format("rk_test_", 16, 247, b""),
    token_format("AIza", 35, 35, b"_-"),
    token_format("npm_", 36, 36, b""),
];

const fn token_format(
    prefix: &'static str,
    min: usize,
    max: usize,
    extra_characters: &'static [u8],
) -> TokenFormat {
    TokenFormat {
        prefix,
        lengths: min..=max,
        extra_characters,
    }
}

/// A known prefix, then a body of the format's length and alphabet that mixes letters and
/// digits (as random secrets do, and words do not).
fn is_api_token(value: &str) -> bool {
    TOKEN_FORMATS.iter().any(|format| {
        value.strip_prefix(format.prefix).is_some_and(|body| {
            let bytes = body.as_bytes();
            format.lengths.contains(&bytes.len())
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || format.extra_characters.contains(b))
                && bytes.iter().any(u8::is_ascii_digit)
                && bytes.iter().any(u8::is_ascii_alphabetic)
        })
    })
}

/// Header and payload are base64url JSON objects (`eyJ` is `{"`); the signature may be empty
/// (`alg: none`).
fn is_jwt(value: &str) -> bool {
    let mut segments = value.split('.');
    let (Some(header), Some(payload), Some(signature), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        return false;
    };
    let base64url = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    header.len() >= 10
        && header.starts_with("eyJ")
        && payload.len() >= 4
        && payload.starts_with("eyJ")
        && base64url(header)
        && base64url(payload)
        && base64url(signature)
}

/// Only the PEM header is looked at: `-----BEGIN … PRIVATE KEY-----` (RSA, EC, OPENSSH,
/// ENCRYPTED, PGP … BLOCK).
fn is_pem_private_key(value: &str) -> bool {
    let head = &value.as_bytes()[..value.len().min(PEM_HEADER_BYTES)];
    let Some(label) = head.strip_prefix(b"-----BEGIN ") else {
        return false;
    };
    let label_end = label.windows(5).position(|w| w == b"-----");
    let label = &label[..label_end.unwrap_or(label.len())];
    label.windows(11).any(|w| w == b"PRIVATE KEY")
}

/// bcrypt, Unix crypt (MD5, SHA-256, SHA-512), Argon2 (PHC string) and Django's PBKDF2.
fn is_password_hash(value: &str) -> bool {
    let value = value
        .strip_prefix("bcrypt_sha256$")
        .or_else(|| value.strip_prefix("bcrypt$"))
        .or_else(|| value.strip_prefix("argon2"))
        .filter(|rest| rest.starts_with('$'))
        .unwrap_or(value);
    is_bcrypt(value) || is_unix_crypt(value) || is_argon2(value) || is_django_pbkdf2(value)
}

fn is_crypt_base64(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || *b == b'.' || *b == b'/')
}

fn is_standard_base64(text: &str) -> bool {
    let body = text.trim_end_matches('=');
    text.len() - body.len() <= 2
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

fn is_bcrypt(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() == 60
        && bytes[0] == b'$'
        && bytes[1] == b'2'
        && matches!(bytes[2], b'a' | b'b' | b'x' | b'y')
        && bytes[3] == b'$'
        && checks::decimal(&bytes[4..6]).is_some_and(|cost| (4..=31).contains(&cost))
        && bytes[6] == b'$'
        && is_crypt_base64(&bytes[7..])
}

fn is_unix_crypt(value: &str) -> bool {
    let (rest, hash_length) = if let Some(rest) = value.strip_prefix("$1$") {
        (rest, 22)
    } else if let Some(rest) = value.strip_prefix("$5$") {
        (rest, 43)
    } else if let Some(rest) = value.strip_prefix("$6$") {
        (rest, 86)
    } else {
        return false;
    };
    let rest = match rest.strip_prefix("rounds=") {
        Some(after) => match after.split_once('$') {
            Some((rounds, salted))
                if !rounds.is_empty() && rounds.bytes().all(|b| b.is_ascii_digit()) =>
            {
                salted
            }
            _ => return false,
        },
        None => rest,
    };
    let Some((salt, hash)) = rest.split_once('$') else {
        return false;
    };
    (1..=16).contains(&salt.len())
        && is_crypt_base64(salt.as_bytes())
        && hash.len() == hash_length
        && is_crypt_base64(hash.as_bytes())
}

/// `$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>` (the version field is optional).
fn is_argon2(value: &str) -> bool {
    let fields: Vec<&str> = value.split('$').collect();
    let (algorithm, rest) = match fields.as_slice() {
        ["", algorithm, rest @ ..] => (*algorithm, rest),
        _ => return false,
    };
    let rest = match rest {
        [version, rest @ ..] if version.starts_with("v=") => rest,
        rest => rest,
    };
    let [parameters, salt, hash] = rest else {
        return false;
    };
    matches!(algorithm, "argon2i" | "argon2d" | "argon2id")
        && parameters.split(',').all(|p| {
            p.split_once('=')
                .is_some_and(|(name, value)| matches!(name, "m" | "t" | "p") && !value.is_empty())
        })
        && salt.len() >= 8
        && hash.len() >= 16
        && is_standard_base64(salt)
        && is_standard_base64(hash)
}

/// `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>`.
fn is_django_pbkdf2(value: &str) -> bool {
    let fields: Vec<&str> = value.split('$').collect();
    let [algorithm, iterations, salt, hash] = fields.as_slice() else {
        return false;
    };
    matches!(*algorithm, "pbkdf2_sha256" | "pbkdf2_sha1")
        && !iterations.is_empty()
        && iterations.bytes().all(|b| b.is_ascii_digit())
        && !salt.is_empty()
        && salt.bytes().all(|b| b.is_ascii_alphanumeric())
        && hash.len() >= 28
        && is_standard_base64(hash)
}

// --- dates ---

/// ISO 8601 dates and date-times (`1985-05-12`, `1985-05-12T08:30:00.000+02:00`),
/// `YYYYMMDD`, and `DD/MM/YYYY`, `MM/DD/YYYY`, `DD.MM.YYYY`, `DD-MM-YYYY`, `YYYY/MM/DD`.
fn is_date(value: &str) -> bool {
    let bytes = value.as_bytes();
    if bytes.len() == 8 && bytes.iter().all(u8::is_ascii_digit) {
        return is_compact_date(bytes);
    }
    if bytes.len() < 10 {
        return false;
    }
    if bytes[4] == b'-' && bytes[7] == b'-' {
        let time = &bytes[10..];
        return date_at(bytes, [0..4, 5..7, 8..10])
            && (time.is_empty()
                || (matches!(time[0], b'T' | b't' | b' ') && is_iso_time(&time[1..])));
    }
    if bytes.len() != 10 {
        return false;
    }
    match (bytes[2], bytes[5], bytes[4], bytes[7]) {
        (b'/', b'/', _, _) => {
            date_at(bytes, [6..10, 3..5, 0..2]) || date_at(bytes, [6..10, 0..2, 3..5])
        }
        (b'.', b'.', _, _) | (b'-', b'-', _, _) => date_at(bytes, [6..10, 3..5, 0..2]),
        (_, _, b'/', b'/') => date_at(bytes, [0..4, 5..7, 8..10]),
        _ => false,
    }
}

/// `YYYYMMDD` with a year from 1900 to 2100 (other 8-digit numbers are rarely dates).
fn is_compact_date(digits: &[u8]) -> bool {
    digits.len() == 8
        && checks::decimal(&digits[..4]).is_some_and(|year| (1900..=2100).contains(&year))
        && date_at(digits, [0..4, 4..6, 6..8])
}

/// Whether the year, month and day at these byte ranges make a real date.
fn date_at(bytes: &[u8], [year, month, day]: [std::ops::Range<usize>; 3]) -> bool {
    let number = |range: std::ops::Range<usize>| checks::decimal(&bytes[range]).map(|n| n as u32);
    match (number(year), number(month), number(day)) {
        (Some(year), Some(month), Some(day)) => year >= 1 && is_valid_date(year, month, day),
        _ => false,
    }
}

/// `hh:mm[:ss[.fraction]]` then nothing, `Z`, or an offset `±hh[[:]mm]`.
fn is_iso_time(bytes: &[u8]) -> bool {
    let two_digits = |at: usize, max: u64| {
        bytes
            .get(at..at + 2)
            .and_then(checks::decimal)
            .is_some_and(|n| n <= max)
    };
    if !(two_digits(0, 23) && bytes.get(2) == Some(&b':') && two_digits(3, 59)) {
        return false;
    }
    let mut at = 5;
    if bytes.get(at) == Some(&b':') {
        if !two_digits(at + 1, 60) {
            return false;
        }
        at += 3;
        if matches!(bytes.get(at), Some(b'.' | b',')) {
            let fraction = bytes[at + 1..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if !(1..=9).contains(&fraction) {
                return false;
            }
            at += 1 + fraction;
        }
    }
    let zone = &bytes[at..];
    match zone {
        [] | [b'Z' | b'z'] => true,
        [b'+' | b'-', offset @ ..] => {
            let offset: Vec<u8> = offset.iter().copied().filter(|&b| b != b':').collect();
            matches!(offset.len(), 2 | 4)
                && offset.iter().all(u8::is_ascii_digit)
                && two_digits_value(&offset[..2]) <= 14
                && (offset.len() == 2 || two_digits_value(&offset[2..]) <= 59)
        }
        _ => false,
    }
}

fn two_digits_value(digits: &[u8]) -> u64 {
    checks::decimal(digits).unwrap_or(u64::MAX)
}

fn is_valid_date(year: u32, month: u32, day: u32) -> bool {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days_in_month).contains(&day)
}

fn all_equal(bytes: &[u8]) -> bool {
    bytes.windows(2).all(|pair| pair[0] == pair[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ids of the recognisers one string value matches.
    fn ids(value: &str) -> Vec<&'static str> {
        ids_of(recognise_text(value.trim()))
    }

    fn number_ids(literal: &str) -> Vec<&'static str> {
        integer_digits(literal).map_or_else(Vec::new, |digits| ids_of(recognise_digits(&digits)))
    }

    fn ids_of(matched: u32) -> Vec<&'static str> {
        Recogniser::ALL
            .iter()
            .filter(|r| matched & r.bit() != 0)
            .map(|r| r.id())
            .collect()
    }

    fn assert_matches(recogniser: &str, valid: &[&str], invalid: &[&str]) {
        for value in valid {
            assert!(
                ids(value).contains(&recogniser),
                "{value:?} should be {recogniser}: {:?}",
                ids(value)
            );
        }
        for value in invalid {
            assert!(
                !ids(value).contains(&recogniser),
                "{value:?} should not be {recogniser}"
            );
        }
    }

    fn stats_of(values: &[&str]) -> ValueStats {
        let mut stats = ValueStats::default();
        for value in values {
            stats.observe_string(value);
        }
        stats
    }

    fn repeated(value: &str, times: usize) -> ValueStats {
        stats_of(&vec![value; times])
    }

    /// A deterministic xorshift generator for look-alike ids.
    struct Xorshift(u64);

    impl Xorshift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn digits(&mut self, count: usize) -> String {
            (0..count)
                .map(|i| {
                    let low = if i == 0 { 1 } else { 0 };
                    char::from(b'0' + (low + self.next() % (10 - low)) as u8)
                })
                .collect()
        }
    }

    #[test]
    fn emails() {
        assert_matches(
            "value:email",
            &[
                "alice@example.com",
                "alice.o'neil+news@mail.example.co.uk",
                "x@ex-ample.io",
                "Jörg@bücher.de",
                "user@xn--bcher-kva.xn--p1ai",
                "  bob@example.org  ",
            ],
            &[
                "alice@example",
                "alice@@example.com",
                "alice@exa mple.com",
                ".alice@example.com",
                "alice.@example.com",
                "al..ice@example.com",
                "alice@-example.com",
                "alice@example.c",
                "alice@example.123",
                "@example.com",
                "alice@",
                "alice example.com",
                &format!("{}@example.com", "a".repeat(65)),
            ],
        );
    }

    #[test]
    fn phone_numbers() {
        assert_matches(
            "value:phone",
            &[
                "+14155552671",
                "+1 (555) 123-4567",
                "+1-555-123-4567",
                "(555) 123-4567",
                "555-123-4567",
                "555.123.4567",
                "+44 20 7946 0958",
                "+44 (0)20 7946 0958",
                "020 7946 0958",
                "+33 1 23 45 67 89",
                "030 1234567",
                "+49 151 23456789",
                "1-800-555-1234",
            ],
            &[
                "4155552671",
                "14155552671",
                "2024-01-15",
                "15.01.2024",
                "192.168.100.100",
                "123-45-6789",
                "1 000 000 000",
                "978-3-16-148410-0",
                "+0123456789",
                "12:30",
                "555-1234",
                "+1 555",
                "000-000-0000",
                "+11111111111",
                "1234567.89",
                "0.123456789",
                "555--123-4567",
                "555-123.4567",
                "(555)) 123-4567",
                "555) 123-4567",
                "(555 123-4567",
                "-555-123-4567",
                "555-123-4567-",
                "+1 555 123 4567 ext. 12",
                "phone: 555-123-4567",
            ],
        );
    }

    #[test]
    fn payment_cards() {
        let valid = [
            "4111111111111111",
            "4111 1111 1111 1111",
            "4111-1111-1111-1111",
            "4222222222222",
            "5555555555554444",
            "2223003122003222",
            "378282246310005",
            "3782 822463 10005",
            "371449635398431",
            "6011111111111117",
            "6011000990139424",
            "3530111333300000",
            "3566002020360505",
            "30569309025904",
            "38520000023237",
            "6200000000000005",
        ];
        assert_matches(
            "value:payment-card",
            &valid,
            &[
                "4111 1111 1111 1112",
                "4111111111111112",
                // Luhn-valid, but no network issues 12… or 99… numbers.
                "1234567812345670",
                "9999999999999995",
                "0000000000000000",
                // A Visa prefix with a length Visa does not issue.
                "411111111111116",
                "4111 1111-1111 1111",
                "4111  1111 1111 1111",
                "411111111111",
            ],
        );
        assert_eq!(number_ids("4111111111111111"), ["value:payment-card"]);
        assert_eq!(number_ids("4.111111111111111E15"), ["value:payment-card"]);
        assert_eq!(number_ids("4111111111111112"), Vec::<&str>::new());
    }

    #[test]
    fn ibans() {
        assert_matches(
            "value:iban",
            &[
                "GB82WEST12345698765432",
                "GB82 WEST 1234 5698 7654 32",
                "gb82 west 1234 5698 7654 32",
                "DE89370400440532013000",
                "DE89 3704 0044 0532 0130 00",
                "FR1420041010050500013M02606",
                "NL91ABNA0417164300",
                "BE68539007547034",
                "ES9121000418450200051332",
                "IT60X0542811101000000123456",
                "CH9300762011623852957",
                "NO9386011117947",
                "MT84MALT011000012345MTLCAST001S",
                "AT611904300234573201",
                "FI2112345600000785",
            ],
            &[
                "GB82 WEST 1234 5698 7654 33",
                "GB82WEST12345698765433",
                "DE89370400440532013001",
                // Right check, wrong length for the country.
                "GB82WEST1234569876543",
                "XX82WEST12345698765432",
                "GB82 WEST1234 5698 7654 32",
                "GB82  WEST 1234 5698 7654 32",
                "GB00WEST12345698765432",
                "GB82-WEST-1234-5698-7654-32",
            ],
        );
    }

    #[test]
    fn ip_addresses() {
        assert_matches(
            "value:ip-address",
            &[
                "192.168.0.1",
                "8.8.8.8",
                // A valid IPv4 address, whatever else it may be: see `classify` for version columns.
                "1.2.3.4",
                "2001:db8::1",
                "fe80::1ff:fe23:4567:890a",
                "::1",
                "::ffff:192.0.2.128",
            ],
            &[
                "256.1.1.1",
                "01.2.3.4",
                "1.2.3",
                "1.2.3.4.5",
                "0.0.0.0",
                "::",
                "12:34:56",
                "550e8400-e29b-41d4-a716-446655440000",
                "2001:db8::1::2",
                "192.168.0.1/24",
            ],
        );
    }

    #[test]
    fn mac_addresses() {
        assert_matches(
            "value:mac-address",
            &["00:1A:2B:3C:4D:5E", "00-1a-2b-3c-4d-5e", "001a.2b3c.4d5e"],
            &[
                "00:00:00:00:00:00",
                "ff:ff:ff:ff:ff:ff",
                "00:1A:2B:3C:4D",
                "00:1A-2B:3C:4D:5E",
                "00:1G:2B:3C:4D:5E",
                "001a2b3c4d5e",
                "12:34:56",
            ],
        );
        assert!(!ids("12-34-56-78-90-12").contains(&"value:phone"));
    }

    #[test]
    fn us_social_security_numbers() {
        assert_matches(
            "value:us-ssn",
            &["123-45-6789", "536 22 1234", "899-99-9999"],
            &[
                "000-12-3456",
                "666-12-3456",
                "900-12-3456",
                "999-12-3456",
                "123-00-4567",
                "123-45-0000",
                "078-05-1120",
                "219-09-9999",
                "123456789",
                "123-45 6789",
                "12-345-6789",
            ],
        );
    }

    #[test]
    fn uk_national_insurance_numbers() {
        assert_matches(
            "value:uk-nino",
            &["AB123456C", "AB 12 34 56 C", "ab123456d", "JG103759A"],
            &[
                "DA123456C",
                "AO123456C",
                "GB123456A",
                "ZZ123456A",
                "AB123456E",
                "AB123456",
                "AB12345C",
                "A1123456C",
            ],
        );
    }

    #[test]
    fn spanish_dni_and_nie() {
        assert_matches(
            "value:es-dni",
            &[
                "12345678Z",
                "12345678-Z",
                "12345678z",
                "X1234567L",
                "Y1234567X",
            ],
            &[
                "12345678A",
                "00000000T",
                "X1234567A",
                "W1234567L",
                "1234567Z",
                "12345678 -Z",
            ],
        );
    }

    #[test]
    fn italian_codice_fiscale() {
        assert_matches(
            "value:it-fiscal-code",
            &[
                "RSSMRA85T10A562S",
                "rssmra85t10a562s",
                "MRTMTT91D08F205J",
                "RSSMRA85T10A56NH",
            ],
            &[
                "RSSMRA85T10A562T",
                "RSSMRA85Z10A562S",
                "RSSMRA85T99A562S",
                "RSSMRA85T10A562",
                "RSSMR185T10A562S",
            ],
        );
    }

    #[test]
    fn dutch_bsn() {
        assert_matches(
            "value:nl-bsn",
            &["111222333", "123456782", "1234.56.782"],
            &["123456789", "000000000", "1234.56.789"],
        );
        assert_eq!(number_ids("111222333"), ["value:nl-bsn"]);
    }

    #[test]
    fn indian_aadhaar() {
        assert_matches(
            "value:in-aadhaar",
            &[
                "234123412346",
                "2341 2341 2346",
                "2341-2341-2346",
                "499184643072",
            ],
            &[
                "234123412347",
                "999999999999",
                "2341 23412346",
                "23412341 2346",
                "034123412346",
            ],
        );
        assert_eq!(number_ids("234123412346"), ["value:in-aadhaar"]);
        // A grouped Aadhaar is not also counted as a phone number.
        assert_eq!(ids("2341 2341 2346"), ["value:in-aadhaar"]);
    }

    #[test]
    fn swedish_personnummer() {
        assert_matches(
            "value:se-personnummer",
            &[
                "811228-9874",
                "811228+9874",
                "19811228-9874",
                "198112289874",
                "811288-9871",
            ],
            &[
                "811228-9875",
                "811328-9874",
                "8112289874",
                "811228 9874",
                "17811228-9874",
                "811232-9874",
            ],
        );
        assert_eq!(number_ids("198112289874"), ["value:se-personnummer"]);
    }

    #[test]
    fn finnish_hetu() {
        assert_matches(
            "value:fi-hetu",
            &[
                "131052-308T",
                "131052-308t",
                "010101A123N",
                "010123B4563",
                "131052Y308T",
            ],
            &[
                "131052-308U",
                "310252-308T",
                "131052-001T",
                "131052G308T",
                "131052-3O8T",
            ],
        );
    }

    #[test]
    fn french_nir() {
        assert_matches(
            "value:fr-nir",
            &[
                "2 69 05 49 588 157 80",
                "269054958815780",
                "2 55 08 14 168 025 38",
                "1 85 05 2A 006 084 35",
            ],
            &[
                "2 69 05 49 588 157 81",
                "3 69 05 49 588 157 80",
                "2 69 13 49 588 157 80",
                "2 69 05 00 588 157 80",
            ],
        );
        assert_eq!(number_ids("269054958815780"), ["value:fr-nir"]);
    }

    #[test]
    fn credentials() {
        assert_matches(
            "value:aws-access-key",
            &["AKIAIOSFODNN7EXAMPLE", "ASIAIOSFODNN7EXAMPLE"],
            &[
                "AKIAIOSFODNN7EXAMPL",
                "AIDAIOSFODNN7EXAMPLE",
                "akiaiosfodnn7example",
                "AKIAIOSFODNN7EXAMPLE1",
            ],
        );
        assert_matches(
            "value:api-token",
            &[
                "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
                "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
                "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
                "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe",
                "glpat-xyzABC123456789abcde",
            ],
            &[
                "ghp_short1",
                "ghp_abcdefghijklmnopqrstuvwxyzabcdefghij",
                "sk_live_",
                "github_pat_1",
            ],
        );
        let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
        let long_jwt = format!("eyJhbGciOiJSUzI1NiJ9.eyJ{}.sig", "a".repeat(600));
        assert_matches(
            "value:jwt",
            &[jwt, &long_jwt, "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."],
            &[
                "a.b.c",
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0",
                "eyJhbGciOiJIUzI1NiJ9.abc.def",
                "eyJ.eyJ.x",
            ],
        );
        let pem = format!(
            "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----",
            "MIIE".repeat(300)
        );
        assert_matches(
            "value:private-key",
            &[
                &pem,
                "-----BEGIN PRIVATE KEY-----\nMC4CAQ",
                "-----BEGIN OPENSSH PRIVATE KEY-----",
            ],
            &[
                "-----BEGIN PUBLIC KEY-----\nMIIB",
                "-----BEGIN CERTIFICATE-----",
                "BEGIN PRIVATE KEY",
            ],
        );
        let sha512_crypt = format!("$6$saltsalt${}", "a1b2c3/.".repeat(10) + "abcdef");
        assert_matches(
            "value:password-hash",
            &[
                "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
                "$2b$12$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
                &sha512_crypt,
                "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
                "$argon2i$m=4096,t=3,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
                "pbkdf2_sha256$260000$abcdefghijkl$3q2+7w4A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8=",
                "bcrypt_sha256$$2b$12$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
            ],
            &[
                "$2b$99$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
                "$2b$12$short",
                "$6$salt$short",
                "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ",
                "$argon2x$m=4096,t=3,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
                "pbkdf2_sha256$abc$salt$3q2+7w4A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8=",
                "$price$12$",
            ],
        );
    }

    #[test]
    fn urls() {
        assert_matches(
            "value:url",
            &[
                "https://example.com",
                "https://example.com/path/to?q=1&r=2#frag",
                "http://localhost:8080/",
                "HTTPS://Example.COM/X",
                "https://[2001:db8::1]:443/x",
                "http://192.168.0.1/status",
            ],
            &[
                "ftp://example.com",
                "https://user:pw@example.com/",
                "https://exa mple.com",
                "https://",
                "https://example",
                "http://example.com:99999/",
                "http://[::1/",
                "example.com",
            ],
        );
    }

    #[test]
    fn dates_are_evidence_only() {
        assert_matches(
            "value:date",
            &[
                "1985-05-12",
                "1985-05-12T08:30:00Z",
                "1985-05-12T08:30:00.123+02:00",
                "1985-05-12 08:30",
                "2000-02-29",
                "19850512",
                "12/05/1985",
                "12.05.1985",
                "1985/05/12",
            ],
            &[
                "1985-02-30",
                "1985-13-01",
                "2024-01-15T25:00",
                "1900-02-29",
                "12345678",
                "1.2.3",
                "1985-05-12Tnoon",
            ],
        );
        assert_eq!(number_ids("19850512"), ["value:date"]);
        assert_eq!(repeated("1985-05-12", 50).finding(), None);
    }

    #[test]
    fn look_alikes_match_nothing_sensitive() {
        let look_alikes = [
            "550e8400-e29b-41d4-a716-446655440000",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "d41d8cd98f00b204e9800998ecf8427e",
            "1700000000",
            "1700000000123",
            "v1.2.3",
            "1.2.3",
            "12345",
            "ORD-2024-000123",
            "SGVsbG8gd29ybGQ=",
            "true",
            "Hello, world",
            "Jane Doe",
            "42 Main Street",
            "01ARZ3NDEKTSV4RRFFQ69G5FAV",
        ];
        for value in look_alikes {
            assert_eq!(ids(value), Vec::<&str>::new(), "{value}");
        }
    }

    #[test]
    fn random_ids_do_not_make_findings() {
        let mut random = Xorshift(0x9E37_79B9_7F4A_7C15);
        for length in [9, 10, 12, 13, 15, 16, 19] {
            let mut as_strings = ValueStats::default();
            let mut as_numbers = ValueStats::default();
            for _ in 0..500 {
                let id = random.digits(length);
                as_strings.observe_string(&id);
                as_numbers.observe_number(&id);
            }
            assert_eq!(
                as_strings.finding(),
                None,
                "{length} digits: {as_strings:?}"
            );
            assert_eq!(
                as_numbers.finding(),
                None,
                "{length} digits: {as_numbers:?}"
            );
        }
    }

    #[test]
    fn number_literals() {
        let digits = |literal: &str| integer_digits(literal).map(|d| String::from_utf8(d).unwrap());
        assert_eq!(
            digits("4111111111111111").as_deref(),
            Some("4111111111111111")
        );
        assert_eq!(
            digits("4.111111111111111E15").as_deref(),
            Some("4111111111111111")
        );
        assert_eq!(
            digits("4.111111111111111e+15").as_deref(),
            Some("4111111111111111")
        );
        assert_eq!(digits("150e-1").as_deref(), Some("15"));
        assert_eq!(digits("007").as_deref(), Some("7"));
        assert_eq!(digits("0").as_deref(), Some("0"));
        assert_eq!(digits("+12").as_deref(), Some("12"));
        for not_an_integer in [
            "-1.5e3",
            "-4111111111111111",
            "1.5",
            "15e-1",
            "1e-3",
            "1e999",
            "",
            ".",
            "e5",
            "1e",
            "1.2.3",
            "１２",
        ] {
            assert_eq!(digits(not_an_integer), None, "{not_an_integer}");
        }
    }

    #[test]
    fn confidence_grows_with_the_sample_and_the_share() {
        let confidence = |stats: &ValueStats| stats.finding().map(|f| f.confidence);
        assert_eq!(confidence(&repeated("alice@example.com", 1)), Some(44));
        assert_eq!(confidence(&repeated("alice@example.com", 4)), Some(76));
        assert_eq!(confidence(&repeated("alice@example.com", 5)), Some(80));
        assert_eq!(confidence(&repeated("alice@example.com", 50)), Some(98));
        let mut half = repeated("alice@example.com", 25);
        for _ in 0..25 {
            half.observe_string("not an email");
        }
        assert_eq!(confidence(&half), Some(49));
        let mut few = repeated("not an email", 9);
        few.observe_string("alice@example.com");
        assert_eq!(confidence(&few), None);
        assert_eq!(confidence(&ValueStats::default()), None);
    }

    #[test]
    fn weak_recognisers_cannot_tag_alone() {
        let bsn = repeated("111222333", 100).finding().unwrap();
        assert_eq!((bsn.recogniser, bsn.confidence), ("value:nl-bsn", 49));
        let ssn = repeated("123-45-6789", 100).finding().unwrap();
        assert_eq!((ssn.recogniser, ssn.confidence), ("value:us-ssn", 69));
        let iban = repeated("GB82 WEST 1234 5698 7654 32", 100)
            .finding()
            .unwrap();
        assert_eq!(
            (iban.recogniser, iban.sensitivity, iban.confidence),
            ("value:iban", Sensitivity::Sensitive, 99)
        );
        let phone = repeated("+44 20 7946 0958", 100).finding().unwrap();
        assert_eq!(
            (phone.recogniser, phone.sensitivity, phone.confidence),
            ("value:phone", Sensitivity::NonSensitive, 84)
        );
    }

    #[test]
    fn empty_and_placeholder_values_are_observed_but_not_considered() {
        let stats = stats_of(&["", "   ", "N/A", "null", "-", "alice@example.com"]);
        assert_eq!((stats.observed(), stats.considered()), (6, 1));
        assert_eq!(stats.matched("value:email"), 1);
        assert_eq!(stats.matched("value:nothing"), 0);
    }

    #[test]
    fn stats_hold_no_value() {
        let mut stats = stats_of(&[
            "zanzibar.quokka@example.com",
            "4111 1111 1111 1111",
            "GB82WEST12345698765432",
        ]);
        stats.observe_number("4111111111111111");
        let shown = format!("{stats:?}");
        for fragment in ["zanzibar", "quokka", "example", "4111", "WEST", "GB82"] {
            assert!(!shown.contains(fragment), "{shown}");
        }
        assert_eq!(
            shown,
            r#"ValueStats { observed: 4, considered: 4, numbers: 1, matches: {"value:email": 1, "value:payment-card": 2, "value:iban": 1} }"#
        );
    }

    #[test]
    fn long_values_are_counted_but_not_recognised() {
        let long_email = format!("{}@example.com", "a".repeat(300));
        let long_card = "4111111111111111".repeat(100);
        let huge = "x".repeat(1_000_000);
        let stats = stats_of(&[&long_email, &long_card, &huge]);
        assert_eq!((stats.observed(), stats.considered()), (3, 3));
        assert_eq!(stats.finding(), None);
        let mut numbers = ValueStats::default();
        numbers.observe_number(&"9".repeat(100_000));
        numbers.observe_number(&format!("1e{}", "9".repeat(1000)));
        assert_eq!(numbers.observed(), 2);
    }

    #[test]
    fn arbitrary_input_never_panics() {
        let mut random = Xorshift(0x2545_F491_4F6C_DD1D);
        let alphabet: Vec<char> = "0123456789 +-.:/@()$=_eEaAzZXx#?%é€𝄞\u{0}\u{301}\t\n"
            .chars()
            .collect();
        let mut stats = ValueStats::default();
        for _ in 0..20_000 {
            let length = (random.next() % 40) as usize;
            let value: String = (0..length)
                .map(|_| alphabet[(random.next() % alphabet.len() as u64) as usize])
                .collect();
            stats.observe_string(&value);
            stats.observe_number(&value);
        }
        assert_eq!(stats.observed(), 40_000);
        let _ = stats.finding();
    }
}
