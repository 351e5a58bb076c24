//! PII auto-classification of DynamoDB columns, the way OpenMetadata's auto-classification
//! labels columns `PII.Sensitive` or `PII.NonSensitive` with a confidence, tagging only at or
//! above a threshold (OpenMetadata's default: 80). OpenMetadata 1.3 combines a column-name
//! regex scanner with an NER model over sampled values; here both are deterministic and run
//! inside the component:
//!
//! * [`recognise_name`]: word rules over the column name and its parents' names
//!   (`names.rs`).
//! * [`ValueStats`]: recognisers with real validation (check digits, lengths, ranges) over the
//!   sampled values (`values.rs`, check algorithms in `checks.rs`). Values are never stored:
//!   each is looked at once and only per-recogniser counters remain, which is all `Debug`
//!   shows.
//! * [`classify`]: combines the two and applies the threshold.
//!
//! # Recognisers
//!
//! By name (`name:*`; confidences are the rule's, before combination):
//!
//! | Sensitive | examples | conf. |
//! |---|---|---|
//! | `name:password` | `password`, `passwd`, `pwd`, `passwordHash` | 90 |
//! | `name:credential` | `secret`, `api_key`, `private_key`, `access_token` | 80–85 |
//! | `name:email` | `email`, `e-mail`, `customerEmailAddress`, `email2`; `mail` 75 | 90 |
//! | `name:ssn` | `ssn`, `social_security_number` | 90 |
//! | `name:national-id`, `name:tax-id` | `national_id`, `nino`, `bsn`, `aadhaar`, `dni`, `codice_fiscale`, `tax_id` | 75–90 |
//! | `name:passport`, `name:driver-license` | `passport_number`, `drivers_license` | 85 |
//! | `name:payment-card` | `credit_card`, `card_number`, `cc_num` (not `gift_card_number`) | 85–90 |
//! | `name:card-security-code` | `cvv`, `cvc2` | 85 |
//! | `name:iban`, `name:bank-account` | `iban`, `bank_account`, `bank_num`; `account_number` 70 | 70–90 |
//! | `name:ip-address`, `name:mac-address` | `ip`, `ip_address`, `ipv4`, `client_ip`, `remote_addr`, `mac_address` | 75–90 |
//! | `name:person-name`, `name:username` | `first_name`, `surname`, `customer` › `name`, `username`, `holder_name` | 75–85 |
//!
//! | NonSensitive | examples | conf. |
//! |---|---|---|
//! | `name:phone` | `phone`, `phoneNumber`, `mobile_no`, `telephone`, `tel`, `fax` | 75–85 |
//! | `name:date-of-birth` | `date_of_birth`, `birthDate`, `birthday`, `dob` (80); `birth_year` 70 | 70–85 |
//! | `name:birth-place` | `place_of_birth`, `birth_city` | 75 |
//! | `name:gender` | `gender`; `sex` 80 | 85 |
//! | `name:nrp` | `nationality`, `citizenship`, `religion`, `ethnicity` | 75–80 |
//! | `name:address` | `address`, `street`, `address_line1`, `billing_address` (not `ip_address`, `wallet_address`); `addr` 70 | 70–85 |
//! | `name:city`, `name:state`, `name:postal-code`, `name:country` | `city`, `shipping_state`, `address` › `state`, `zip`, `postal_code`, `country` | 70–85 |
//! | `name:geolocation` | `latitude`, `longitude`, `geolocation`, `gps` | 65–70 |
//!
//! Decisions on look-alikes: `state` alone is far more often a status (`state_machine`,
//! `order_state`) than a US state, so it needs an address word before it; bare `name` is a
//! product's or table's as often as a person's, so it needs a person word before it
//! (`customer_name`, or a `customer` parent); `mailbox_size` and `mailbox` are not taken (a
//! mailbox is an account, its size a number); `created_date` is not a birth date;
//! `user_id` is not a user name; `ssn_last4` and `card_last4` are not taken (PCI DSS allows
//! showing the last four digits); `address_id` and `email_id` are keys to other rows, not the
//! data (values still catch an `email_id` holding addresses). OpenMetadata's name scanner is
//! more eager (`country`, `state` and `mail` at full confidence); here ambiguous names stay
//! below the default threshold unless the values agree.
//!
//! By value (`value:*`), with the strength that caps what the recogniser can claim:
//!
//! | recogniser | sensitivity | validation | strength |
//! |---|---|---|---|
//! | `value:email` | Sensitive | local@domain.tld: dot-atom local part ≤ 64, domain labels, alphabetic TLD | 1.0 |
//! | `value:payment-card` | Sensitive | 13–19 digits (spaces/dashes), Visa/Mastercard/Amex/Discover/JCB/Diners/UnionPay prefixes and lengths, Luhn; strings and numbers | 1.0 |
//! | `value:iban` | Sensitive | country length table (SEPA, GB and others), check digits 02–98, mod-97; compact or groups of 4 | 1.0 |
//! | `value:ip-address` | Sensitive (as OpenMetadata) | `std::net` IPv4 (no leading zeros) and IPv6, not 0.0.0.0 / `::` | 0.95 |
//! | `value:mac-address` | Sensitive (a device identifier) | 6 hex pairs with `:` or `-`, or `xxxx.xxxx.xxxx`; not all-0 / broadcast | 0.9 |
//! | `value:us-ssn` | Sensitive | `AAA-GG-SSSS` without the never-issued ranges; no checksum exists | 0.7 |
//! | `value:uk-nino` | Sensitive | prefix letter rules, 6 digits, suffix A–D; no checksum | 0.85 |
//! | `value:es-dni` | Sensitive | DNI/NIE check letter (mod 23) | 0.9 |
//! | `value:it-fiscal-code` | Sensitive | structure (month letter, day, omocodia) and check character | 1.0 |
//! | `value:nl-bsn` | Sensitive | 9 digits, 11-proof (1 in 11 random numbers pass) | 0.5 |
//! | `value:in-aadhaar` | Sensitive | 12 digits not starting 0/1, Verhoeff (1 in 10 pass) | 0.7 |
//! | `value:se-personnummer` | Sensitive | date (day + 60 for coordination numbers), Luhn; with separator, or 12 digits | 0.9 |
//! | `value:fi-hetu` | Sensitive | date, century sign, individual number, mod-31 check character | 1.0 |
//! | `value:fr-nir` | Sensitive | sex, month, department (2A/2B), key = 97 − n mod 97 | 0.95 |
//! | `value:aws-access-key` | Sensitive | `AKIA`/`ASIA` + 16 uppercase alphanumerics | 1.0 |
//! | `value:api-token` | Sensitive | GitHub, GitLab, Slack, Stripe, Google API key, npm prefixes and lengths | 1.0 |
//! | `value:jwt` | Sensitive | three base64url segments, header and payload JSON objects | 0.95 |
//! | `value:private-key` | Sensitive | PEM `-----BEGIN … PRIVATE KEY-----` header | 1.0 |
//! | `value:password-hash` | Sensitive | bcrypt, `$1$`/`$5$`/`$6$` crypt, Argon2, Django PBKDF2 | 1.0 |
//! | `value:phone` | NonSensitive | `+` and 8–15 digits, or 9–14 digits with separators; not bare digit runs, dates, dotted quads, 3-2-4 or thousands grouping | 0.85 |
//! | `value:url` | NonSensitive | `http(s)://` host (domain, localhost, IP), port, no whitespace, no user info | 0.9 |
//! | `value:date` | — | ISO 8601 date/date-time, `YYYYMMDD`, `DD/MM/YYYY` and kin: only evidence for a date-of-birth name | 0.9 |
//!
//! Left out: bare 9-digit SSNs and bare 10-digit personnummer (indistinguishable from ids and
//! phone numbers), Maestro's 50/56–69 range, person names and street addresses by value (they
//! need a language model; the name rules cover them). `1.2.3.4` is a valid IPv4 address and
//! counts as one, but a column whose own name says `version`, `release`, `build` or `firmware`
//! gets no IP finding. UUIDs, hex digests, timestamps and plain integers match nothing (bare
//! digit runs only count when a checksum passes, and then only as one value in ten or so by
//! chance, well below the share that makes a finding).
//!
//! Values longer than 256 characters are counted but not recognised, except that PEM private
//! keys are recognised by their first 64 bytes and JWTs up to 4 KiB. Trimmed empty values and
//! placeholders (`N/A`, `null`, `-`, …) are counted as observed but are not part of any share.
//!
//! # Confidence
//!
//! Value-based: `100 × strength × share × n / (n + 1.25)`, `share` being the matching share of
//! the `n` non-empty values; shares under 25 % give no finding. With a perfect share and
//! strength 1.0, four values reach 76, five 80, ten 89, fifty 98. Weak recognisers cannot tag a
//! column on their own at the default threshold: BSN tops out at 50, SSN and Aadhaar at 70.
//! The best recogniser wins; on a tie, a Sensitive one.
//!
//! Name-based, then adjusted by what was sampled:
//! * boolean values: no name finding (`email_verified`, `has_phone` are flags, not PII);
//! * numbers where the concept cannot be a number (`email`, names, addresses): × 0.5;
//! * agreement — at least half the values match a recogniser that confirms the name (`email`
//!   and email addresses, `dob` and dates, `ssn` and SSNs): the two combine as independent
//!   evidence, `100 − (100 − name)(100 − values)/100`;
//! * contradiction — string values, at least five, fewer than 10 % matching, for concepts whose
//!   every value must match (email, card, IBAN, IP, MAC): × 0.6;
//! * outvoted — at least half the values match a recogniser of another concept: × 0.8.
//!
//! [`classify`] then keeps the higher of the name and value findings (on agreement: the one
//! that was stronger alone, with the combined confidence; on a tie between sensitivities, the
//! Sensitive one) and returns it when its confidence is at least the threshold.

mod checks;
mod names;
mod values;

pub use names::recognise_name;
pub use values::ValueStats;

use names::NameMatch;
use values::{Recogniser, Scored};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sensitivity {
    Sensitive,
    NonSensitive,
}

impl Sensitivity {
    /// The tag's name under OpenMetadata's `PII` classification.
    pub fn tag(self) -> &'static str {
        match self {
            Sensitivity::Sensitive => "Sensitive",
            Sensitivity::NonSensitive => "NonSensitive",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub sensitivity: Sensitivity,
    /// Stable short id of the recogniser, e.g. "name:email", "value:email",
    /// "value:payment-card".
    pub recogniser: &'static str,
    /// Human-readable what it recognised, e.g. "email address".
    pub what: &'static str,
    /// 0..=100.
    pub confidence: u8,
}

/// The type the sampled values of a column had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    String,
    Number,
    Boolean,
    Binary,
    /// Map, list or set.
    Container,
    Unknown,
}

const KIND_MISMATCH_FACTOR: f64 = 0.5;
const CONTRADICTED_FACTOR: f64 = 0.6;
const OUTVOTED_FACTOR: f64 = 0.8;
/// The share of values that must match for values to confirm, or outvote, a name.
const DECISIVE_SHARE: f64 = 0.5;
const CONTRADICTING_SHARE: f64 = 0.1;
const MIN_VALUES_TO_CONTRADICT: u32 = 5;
/// Own-name words under which a dotted quad is a version, not an IP address.
const VERSION_WORDS: &[&str] = &["version", "ver", "release", "build", "firmware"];

/// Combines the name and value recognisers and applies the threshold: a finding only when its
/// confidence is at least `threshold`. `kind` is what type the sampled values had, so that a
/// boolean `email_verified` is not tagged by its name.
pub fn classify(
    path: &[&str],
    kind: ColumnKind,
    values: Option<&ValueStats>,
    threshold: u8,
) -> Option<Finding> {
    let by_values = values.and_then(|stats| value_finding(path, stats));
    let by_name = names::match_name(path)
        .and_then(|matched| weigh_name(matched, kind, values, by_values.as_ref()));
    let chosen = match (by_name, by_values.and_then(|v| Some((v.finding()?, v)))) {
        (None, None) => None,
        (Some(name), None) => Some(name.finding),
        (None, Some((value, _))) => Some(value),
        (Some(name), Some((value, scored))) => Some(reconcile(name, value, &scored)),
    };
    chosen.filter(|finding| finding.confidence >= threshold)
}

fn value_finding(path: &[&str], stats: &ValueStats) -> Option<Scored> {
    let excluded: &[Recogniser] = if names::own_name_has_any(path, VERSION_WORDS) {
        &[Recogniser::IpAddress]
    } else {
        &[]
    };
    stats.best(excluded)
}

/// A name finding after weighing it against the sampled kind and values.
struct WeighedName {
    finding: Finding,
    /// The rule's confidence before weighing.
    alone: u8,
    confirmed_by: &'static [Recogniser],
}

fn weigh_name(
    matched: NameMatch,
    kind: ColumnKind,
    values: Option<&ValueStats>,
    by_values: Option<&Scored>,
) -> Option<WeighedName> {
    if kind == ColumnKind::Boolean {
        return None;
    }
    let alone = matched.finding.confidence;
    let mut confidence = f64::from(alone);
    if kind == ColumnKind::Number && !matched.numeric {
        confidence *= KIND_MISMATCH_FACTOR;
    }
    if let Some(stats) = values {
        let support = stats.best_among(matched.confirmed_by);
        if let Some(support) = support.filter(|s| s.share >= DECISIVE_SHARE) {
            confidence = combined(confidence, f64::from(support.confidence));
        } else {
            if is_contradicted(&matched, kind, stats) {
                confidence *= CONTRADICTED_FACTOR;
            }
            let outvoted = by_values.is_some_and(|v| {
                v.share >= DECISIVE_SHARE && !matched.confirmed_by.contains(&v.recogniser)
            });
            if outvoted {
                confidence *= OUTVOTED_FACTOR;
            }
        }
    }
    Some(WeighedName {
        finding: Finding {
            confidence: as_confidence(confidence),
            ..matched.finding
        },
        alone,
        confirmed_by: matched.confirmed_by,
    })
}

fn is_contradicted(matched: &NameMatch, kind: ColumnKind, stats: &ValueStats) -> bool {
    let support_share = matched
        .confirmed_by
        .iter()
        .map(|r| stats.share(*r))
        .fold(0.0, f64::max);
    matched.complete
        && kind == ColumnKind::String
        && stats.considered() >= MIN_VALUES_TO_CONTRADICT
        && support_share < CONTRADICTING_SHARE
}

/// Two independent pieces of evidence: the chance that both are wrong is the product of the
/// chances that each is.
fn combined(first: f64, second: f64) -> f64 {
    100.0 - (100.0 - first) * (100.0 - second) / 100.0
}

fn as_confidence(confidence: f64) -> u8 {
    confidence.round().clamp(0.0, 100.0) as u8
}

fn reconcile(name: WeighedName, value: Finding, scored: &Scored) -> Finding {
    if name.confirmed_by.contains(&scored.recogniser) {
        let confidence = name.finding.confidence.max(value.confidence);
        let stronger_alone = if value.confidence > name.alone {
            value
        } else {
            name.finding
        };
        return Finding {
            confidence,
            ..stronger_alone
        };
    }
    let value_wins = value.confidence > name.finding.confidence
        || (value.confidence == name.finding.confidence
            && value.sensitivity == Sensitivity::Sensitive
            && name.finding.sensitivity == Sensitivity::NonSensitive);
    if value_wins { value } else { name.finding }
}

#[cfg(test)]
mod tests {
    use super::*;

    const THRESHOLD: u8 = 80;

    fn strings(values: &[&str], times: usize) -> ValueStats {
        let mut stats = ValueStats::default();
        for _ in 0..times {
            for value in values {
                stats.observe_string(value);
            }
        }
        stats
    }

    fn numbers(literals: &[&str], times: usize) -> ValueStats {
        let mut stats = ValueStats::default();
        for _ in 0..times {
            for literal in literals {
                stats.observe_number(literal);
            }
        }
        stats
    }

    /// (recogniser, confidence) of what `classify` returns at threshold 0.
    fn verdict(
        path: &[&str],
        kind: ColumnKind,
        values: Option<&ValueStats>,
    ) -> Option<(&'static str, u8)> {
        classify(path, kind, values, 0).map(|f| (f.recogniser, f.confidence))
    }

    #[test]
    fn tags_are_openmetadata_names() {
        assert_eq!(Sensitivity::Sensitive.tag(), "Sensitive");
        assert_eq!(Sensitivity::NonSensitive.tag(), "NonSensitive");
    }

    #[test]
    fn the_threshold_is_inclusive() {
        let email = |threshold| classify(&["email"], ColumnKind::Unknown, None, threshold);
        assert_eq!(email(80).map(|f| f.confidence), Some(90));
        assert_eq!(email(90).map(|f| f.confidence), Some(90));
        assert_eq!(email(91), None);
        assert_eq!(
            classify(&["country"], ColumnKind::String, None, THRESHOLD),
            None
        );
        assert_eq!(
            classify(&["country"], ColumnKind::String, None, 70).map(|f| f.what),
            Some("country")
        );
        assert_eq!(classify(&["notes"], ColumnKind::String, None, 0), None);
    }

    #[test]
    fn flags_are_not_pii_and_numbers_cannot_be_emails() {
        assert_eq!(verdict(&["email"], ColumnKind::Boolean, None), None);
        assert_eq!(verdict(&["phone"], ColumnKind::Boolean, None), None);
        assert_eq!(
            verdict(&["email"], ColumnKind::Number, None),
            Some(("name:email", 45))
        );
        assert_eq!(
            classify(
                &["email"],
                ColumnKind::Number,
                Some(&numbers(&["1", "2"], 5)),
                THRESHOLD
            ),
            None
        );
        assert_eq!(
            verdict(&["phone"], ColumnKind::Number, None),
            Some(("name:phone", 85))
        );
        assert_eq!(
            verdict(&["zip"], ColumnKind::Number, None),
            Some(("name:postal-code", 85))
        );
        assert_eq!(
            verdict(&["email"], ColumnKind::Binary, None),
            Some(("name:email", 90))
        );
        assert_eq!(
            verdict(&["emails"], ColumnKind::Container, None),
            Some(("name:email", 90))
        );
    }

    #[test]
    fn agreeing_name_and_values_raise_confidence() {
        // Alone: name 90, values 94 (20 values); together 99, reported by the stronger alone.
        let emails = strings(&["alice@example.com"], 20);
        assert_eq!(
            verdict(&["other"], ColumnKind::String, Some(&emails)),
            Some(("value:email", 94))
        );
        assert_eq!(
            verdict(&["email"], ColumnKind::String, Some(&emails)),
            Some(("value:email", 99))
        );
        assert_eq!(
            verdict(&["user_name"], ColumnKind::String, Some(&emails)),
            Some(("value:email", 99))
        );

        // SSN values alone stay under the threshold; the name makes them count.
        let ssns = strings(&["123-45-6789", "536-22-1234"], 10);
        assert_eq!(
            verdict(&["ref"], ColumnKind::String, Some(&ssns)),
            Some(("value:us-ssn", 66))
        );
        assert_eq!(
            classify(&["ref"], ColumnKind::String, Some(&ssns), THRESHOLD),
            None
        );
        assert_eq!(
            verdict(&["ssn"], ColumnKind::String, Some(&ssns)),
            Some(("name:ssn", 97))
        );

        // So do weak checksums.
        let bsns = strings(&["111222333", "123456782"], 10);
        assert_eq!(
            verdict(&["bsn"], ColumnKind::String, Some(&bsns)),
            Some(("name:national-id", 92))
        );

        // Dates only ever support a birth-date name.
        let dates = strings(&["1985-05-12", "1990-12-01"], 10);
        assert_eq!(
            verdict(&["dob"], ColumnKind::String, None),
            Some(("name:date-of-birth", 80))
        );
        assert_eq!(
            verdict(&["dob"], ColumnKind::String, Some(&dates)),
            Some(("name:date-of-birth", 97))
        );
        assert_eq!(
            verdict(&["created_date"], ColumnKind::String, Some(&dates)),
            None
        );
        let compact_dates = numbers(&["19850512"], 20);
        assert_eq!(
            verdict(&["birthDate"], ColumnKind::Number, Some(&compact_dates)),
            Some(("name:date-of-birth", 98))
        );

        // A card held as a DynamoDB number.
        let cards = numbers(&["4111111111111111", "5555555555554444"], 10);
        assert_eq!(
            verdict(&["payment"], ColumnKind::Number, Some(&cards)),
            Some(("value:payment-card", 94))
        );
        assert_eq!(
            verdict(&["cc_num"], ColumnKind::Number, Some(&cards)),
            Some(("value:payment-card", 99))
        );

        // An IBAN under a bank-account name.
        let ibans = strings(&["DE89 3704 0044 0532 0130 00"], 20);
        assert_eq!(
            verdict(&["bank_account"], ColumnKind::String, Some(&ibans)),
            Some(("value:iban", 99))
        );
    }

    #[test]
    fn contradicting_values_lower_a_name() {
        let statuses = strings(&["ACTIVE", "PENDING"], 5);
        assert_eq!(
            verdict(&["email"], ColumnKind::String, Some(&statuses)),
            Some(("name:email", 54))
        );
        assert_eq!(
            classify(&["email"], ColumnKind::String, Some(&statuses), THRESHOLD),
            None
        );
        // One value in five is support enough not to contradict, if not to confirm.
        let mut a_fifth = strings(&["ACTIVE", "PENDING"], 4);
        a_fifth.observe_string("alice@example.com");
        a_fifth.observe_string("bob@example.com");
        assert_eq!(
            verdict(&["email"], ColumnKind::String, Some(&a_fifth)),
            Some(("name:email", 90))
        );
        // Too few values to contradict.
        let two = strings(&["ACTIVE", "PENDING"], 1);
        assert_eq!(
            verdict(&["email"], ColumnKind::String, Some(&two)),
            Some(("name:email", 90))
        );
        // Phone formats vary too much for unmatched values to contradict the name.
        let bare = strings(&["4155552671"], 20);
        assert_eq!(
            verdict(&["phone"], ColumnKind::String, Some(&bare)),
            Some(("name:phone", 85))
        );
    }

    #[test]
    fn disagreeing_findings_go_to_the_stronger() {
        // Phone name, email values: the values win, and the sensitivity with them.
        let emails = strings(&["alice@example.com", "bob@example.org"], 10);
        let finding = classify(&["phone"], ColumnKind::String, Some(&emails), THRESHOLD).unwrap();
        assert_eq!(
            (finding.recogniser, finding.sensitivity, finding.confidence),
            ("value:email", Sensitivity::Sensitive, 94)
        );

        // Email name, phone values: the name is contradicted and outvoted (90 × 0.6 × 0.8).
        let phones = strings(&["+44 20 7946 0958", "+1 (555) 123-4567"], 10);
        assert_eq!(
            verdict(&["email"], ColumnKind::String, Some(&phones)),
            Some(("value:phone", 80))
        );

        // An address name over IBANs: outvoted, 80 × 0.8 = 64 < 94.
        let ibans = strings(&["GB82 WEST 1234 5698 7654 32"], 20);
        assert_eq!(
            verdict(&["address"], ColumnKind::String, Some(&ibans)),
            Some(("value:iban", 94))
        );

        // A name stronger than a minority of values keeps the column.
        let mut some_emails = strings(&["alice@example.com"], 8);
        for _ in 0..12 {
            some_emails.observe_string("Alice Liddell");
        }
        assert_eq!(
            verdict(&["first_name"], ColumnKind::String, Some(&some_emails)),
            Some(("name:person-name", 85))
        );
    }

    #[test]
    fn equal_confidences_prefer_sensitive() {
        let name = WeighedName {
            finding: Finding {
                sensitivity: Sensitivity::NonSensitive,
                recogniser: "name:phone",
                what: "phone number",
                confidence: 85,
            },
            alone: 85,
            confirmed_by: &[Recogniser::Phone],
        };
        let value = Finding {
            sensitivity: Sensitivity::Sensitive,
            recogniser: "value:email",
            what: "email address",
            confidence: 85,
        };
        let scored = Scored {
            recogniser: Recogniser::Email,
            share: 1.0,
            confidence: 85,
        };
        assert_eq!(reconcile(name, value, &scored).recogniser, "value:email");
    }

    #[test]
    fn version_columns_are_not_ip_addresses() {
        let quads = strings(&["1.2.3.4", "10.0.12.7"], 10);
        assert_eq!(
            verdict(&["client"], ColumnKind::String, Some(&quads)),
            Some(("value:ip-address", 89))
        );
        assert_eq!(
            verdict(&["firmwareVersion"], ColumnKind::String, Some(&quads)),
            None
        );
        assert_eq!(
            verdict(&["device", "build"], ColumnKind::String, Some(&quads)),
            None
        );
    }

    #[test]
    fn values_alone_and_nothing_at_all() {
        let urls = strings(&["https://example.com/a"], 20);
        let finding = classify(&["link"], ColumnKind::String, Some(&urls), THRESHOLD).unwrap();
        assert_eq!(
            (finding.recogniser, finding.sensitivity),
            ("value:url", Sensitivity::NonSensitive)
        );
        let ids = strings(&["550e8400-e29b-41d4-a716-446655440000"], 20);
        assert_eq!(verdict(&["id"], ColumnKind::String, Some(&ids)), None);
        assert_eq!(
            verdict(&["id"], ColumnKind::String, Some(&ValueStats::default())),
            None
        );
        assert_eq!(verdict(&[], ColumnKind::Unknown, None), None);
        // Four values can not tag a column by themselves.
        let four = strings(&["alice@example.com"], 4);
        assert_eq!(
            classify(&["contact"], ColumnKind::String, Some(&four), THRESHOLD),
            None
        );
    }
}
