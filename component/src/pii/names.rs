//! Column-name recogniser. A name is cut into lowercase words (snake, kebab, camel and Pascal
//! case, letter/digit boundaries, simple plurals, and run-together words such as `firstname`
//! when they split entirely into known words), then matched against word-sequence rules.
//!
//! A rule matches when its words appear in the column's own name (parents' words may come
//! before, as context: `customer` › `name`), nothing but neutral words (digits, `address`,
//! `number`, `hash`, …) follows, and no counting or flag word (`is`, `has`, `num`, `count`, …)
//! precedes it in the own name. So `email`, `customerEmail`, `email2` and `email_address`
//! match, while `email_verified`, `email_template`, `num_emails` and `mailbox_size` do not.

use std::collections::HashSet;
use std::sync::OnceLock;

use super::values::Recogniser;
use super::{Finding, Sensitivity};

/// Bounds on the work per path.
const MAX_NAME_CHARS: usize = 128;
const MAX_PATH_ELEMENTS: usize = 3;
const MAX_SEGMENTED_CHARS: usize = 32;

/// A name finding with what [`super::classify`] needs to weigh it against the values.
#[derive(Debug, Clone)]
pub(crate) struct NameMatch {
    pub finding: Finding,
    /// Whether the concept can be stored as a number (card, phone, zip) or not (email, name).
    pub numeric: bool,
    /// Value recognisers whose matches confirm the name.
    pub confirmed_by: &'static [Recogniser],
    /// Whether every genuine value of the concept must match one of `confirmed_by` (an email
    /// column holds email addresses; a phone column's formats vary too much to say so).
    pub complete: bool,
}

struct Concept {
    id: &'static str,
    what: &'static str,
    sensitivity: Sensitivity,
    numeric: bool,
    confirmed_by: &'static [Recogniser],
    complete: bool,
}

const fn concept(
    id: &'static str,
    what: &'static str,
    sensitivity: Sensitivity,
    numeric: bool,
) -> Concept {
    Concept {
        id,
        what,
        sensitivity,
        numeric,
        confirmed_by: &[],
        complete: false,
    }
}

const fn confirmed(concept: Concept, by: &'static [Recogniser], complete: bool) -> Concept {
    Concept {
        confirmed_by: by,
        complete,
        ..concept
    }
}

use Sensitivity::{NonSensitive, Sensitive};

const EMAIL: Concept = confirmed(
    concept("name:email", "email address", Sensitive, false),
    &[Recogniser::Email],
    true,
);
const PASSWORD: Concept = confirmed(
    concept("name:password", "password", Sensitive, true),
    &[Recogniser::PasswordHash],
    false,
);
const CREDENTIAL: Concept = confirmed(
    concept(
        "name:credential",
        "secret or access token",
        Sensitive,
        false,
    ),
    Recogniser::CREDENTIALS,
    false,
);
const SSN: Concept = confirmed(
    concept("name:ssn", "social security number", Sensitive, true),
    Recogniser::NATIONAL_IDS,
    false,
);
const NATIONAL_ID: Concept = confirmed(
    concept(
        "name:national-id",
        "national identity number",
        Sensitive,
        true,
    ),
    Recogniser::NATIONAL_IDS,
    false,
);
const TAX_ID: Concept = confirmed(
    concept("name:tax-id", "tax identification number", Sensitive, true),
    Recogniser::NATIONAL_IDS,
    false,
);
const PASSPORT: Concept = concept("name:passport", "passport number", Sensitive, true);
const DRIVER_LICENSE: Concept = concept(
    "name:driver-license",
    "driver's license number",
    Sensitive,
    true,
);
const PAYMENT_CARD: Concept = confirmed(
    concept("name:payment-card", "payment card number", Sensitive, true),
    &[Recogniser::PaymentCard],
    true,
);
const CARD_SECURITY_CODE: Concept = concept(
    "name:card-security-code",
    "card security code",
    Sensitive,
    true,
);
const BANK_ACCOUNT: Concept = confirmed(
    concept("name:bank-account", "bank account number", Sensitive, true),
    &[Recogniser::Iban],
    false,
);
const IBAN: Concept = confirmed(
    concept("name:iban", "IBAN", Sensitive, false),
    &[Recogniser::Iban],
    true,
);
const IP_ADDRESS: Concept = confirmed(
    concept("name:ip-address", "IP address", Sensitive, true),
    &[Recogniser::IpAddress],
    true,
);
const MAC_ADDRESS: Concept = confirmed(
    concept("name:mac-address", "MAC address", Sensitive, false),
    &[Recogniser::MacAddress],
    true,
);
const PERSON_NAME: Concept = concept("name:person-name", "person name", Sensitive, false);
/// Many systems use the email address as the user name.
const USERNAME: Concept = confirmed(
    concept("name:username", "user name", Sensitive, false),
    &[Recogniser::Email],
    false,
);
const PHONE: Concept = confirmed(
    concept("name:phone", "phone number", NonSensitive, true),
    &[Recogniser::Phone],
    false,
);
const ADDRESS: Concept = concept("name:address", "postal address", NonSensitive, false);
const CITY: Concept = concept("name:city", "city", NonSensitive, false);
const STATE: Concept = concept("name:state", "state or province", NonSensitive, false);
const POSTAL_CODE: Concept = concept("name:postal-code", "postal code", NonSensitive, true);
const COUNTRY: Concept = concept("name:country", "country", NonSensitive, true);
const DATE_OF_BIRTH: Concept = confirmed(
    concept("name:date-of-birth", "date of birth", NonSensitive, true),
    &[Recogniser::Date],
    false,
);
const BIRTH_PLACE: Concept = concept("name:birth-place", "place of birth", NonSensitive, false);
const GENDER: Concept = concept("name:gender", "gender", NonSensitive, true);
/// OpenMetadata's NRP: nationality, religious or political group.
const NRP: Concept = concept(
    "name:nrp",
    "nationality, religion or political group",
    NonSensitive,
    false,
);
const GEOLOCATION: Concept = concept(
    "name:geolocation",
    "geographic coordinates",
    NonSensitive,
    true,
);

struct Rule {
    /// One list of accepted words per position.
    words: &'static [&'static [&'static str]],
    /// If not empty, the word just before the match must be one of these.
    after: &'static [&'static str],
    /// The word just before the match must not be one of these.
    not_after: &'static [&'static str],
    concept: &'static Concept,
    confidence: u8,
}

const fn rule(
    words: &'static [&'static [&'static str]],
    concept: &'static Concept,
    confidence: u8,
) -> Rule {
    Rule {
        words,
        after: &[],
        not_after: &[],
        concept,
        confidence,
    }
}

const fn rule_after(
    after: &'static [&'static str],
    words: &'static [&'static [&'static str]],
    concept: &'static Concept,
    confidence: u8,
) -> Rule {
    Rule {
        after,
        ..rule(words, concept, confidence)
    }
}

const fn rule_not_after(
    not_after: &'static [&'static str],
    words: &'static [&'static [&'static str]],
    concept: &'static Concept,
    confidence: u8,
) -> Rule {
    Rule {
        not_after,
        ..rule(words, concept, confidence)
    }
}

const NUMBER: &[&str] = &["number", "num", "no", "nr", "nbr"];
const PERSON_ROLES: &[&str] = &[
    "customer",
    "client",
    "person",
    "contact",
    "employee",
    "patient",
    "cardholder",
    "holder",
];
const OTHER_PERSON_ROLES: &[&str] = &[
    "member",
    "owner",
    "author",
    "buyer",
    "seller",
    "student",
    "guest",
    "passenger",
    "traveler",
    "traveller",
    "applicant",
    "subscriber",
    "recipient",
    "sender",
    "beneficiary",
    "driver",
    "parent",
    "spouse",
    "guardian",
];
/// Words before `address` that make it something other than a postal address.
const NON_POSTAL_ADDRESS: &[&str] = &[
    "ip",
    "ipv",
    "mac",
    "email",
    "mail",
    "e",
    "remote",
    "wallet",
    "contract",
    "memory",
    "mem",
    "server",
    "host",
    "node",
    "peer",
    "proxy",
    "gateway",
    "network",
    "net",
    "broadcast",
    "multicast",
    "socket",
    "endpoint",
    "bind",
    "listen",
    "web",
    "url",
    "base",
    "start",
    "end",
    "return",
    "load",
    "physical",
    "virtual",
    "bitcoin",
    "btc",
    "eth",
    "ethereum",
    "crypto",
    "hardware",
    "bluetooth",
    "device",
    "sender",
    "smtp",
];
/// Words before `state` that make it part of an address rather than a status.
const ADDRESS_CONTEXT: &[&str] = &[
    "address",
    "addr",
    "billing",
    "shipping",
    "mailing",
    "postal",
    "home",
    "residence",
    "residential",
    "us",
    "birth",
    "work",
    "office",
    "delivery",
];
const NOT_PAYMENT_CARD: &[&str] = &[
    "gift",
    "sim",
    "loyalty",
    "id",
    "member",
    "membership",
    "library",
    "report",
    "business",
    "score",
    "key",
    "access",
    "reward",
    "rewards",
    "boarding",
];

/// In priority order: the first rule that matches decides.
const RULES: &[Rule] = &[
    // Credentials.
    rule(
        &[&["password", "passwd", "pwd", "passphrase", "passcode"]],
        &PASSWORD,
        90,
    ),
    rule(&[&["pass"], &["word", "phrase", "code"]], &PASSWORD, 90),
    rule(
        &[
            &[
                "secret",
                "private",
                "api",
                "access",
                "signing",
                "encryption",
                "master",
            ],
            &["key"],
        ],
        &CREDENTIAL,
        85,
    ),
    rule(&[&["secret"]], &CREDENTIAL, 85),
    rule(
        &[
            &[
                "access", "refresh", "auth", "bearer", "session", "api", "reset", "id", "oauth",
            ],
            &["token"],
        ],
        &CREDENTIAL,
        85,
    ),
    rule(&[&["security"], &["answer"]], &CREDENTIAL, 80),
    // Payment.
    rule(&[&["credit", "debit"], &["card"]], &PAYMENT_CARD, 90),
    rule_not_after(
        NOT_PAYMENT_CARD,
        &[&["card", "cc"], NUMBER],
        &PAYMENT_CARD,
        85,
    ),
    rule(&[&["cvv", "cvc"]], &CARD_SECURITY_CODE, 85),
    rule(&[&["iban"]], &IBAN, 90),
    rule(&[&["bank"], &["account", "acc", "acct"]], &BANK_ACCOUNT, 85),
    rule(&[&["bank"], NUMBER], &BANK_ACCOUNT, 80),
    rule(&[&["account", "acct"], NUMBER], &BANK_ACCOUNT, 70),
    // Government identifiers.
    rule(&[&["ssn"]], &SSN, 90),
    rule(&[&["social"], &["security", "insurance"]], &SSN, 90),
    rule(
        &[
            &["national"],
            &[
                "id",
                "identifier",
                "identity",
                "identification",
                "number",
                "insurance",
                "registration",
            ],
        ],
        &NATIONAL_ID,
        85,
    ),
    rule(
        &[&[
            "nino",
            "nric",
            "bsn",
            "burgerservicenummer",
            "aadhaar",
            "aadhar",
            "personnummer",
            "hetu",
            "curp",
            "cpf",
        ]],
        &NATIONAL_ID,
        85,
    ),
    rule(&[&["dni", "nie", "nif", "nir", "nin"]], &NATIONAL_ID, 80),
    rule(&[&["codice"], &["fiscale"]], &NATIONAL_ID, 90),
    rule(&[&["fiscal"], &["code", "number", "id"]], &NATIONAL_ID, 85),
    rule(&[&["nhs"], NUMBER], &NATIONAL_ID, 85),
    rule(&[&["id", "identity"], &["card"]], &NATIONAL_ID, 75),
    rule(
        &[
            &["tax", "taxpayer"],
            &["id", "identifier", "identification", "number", "num", "no"],
        ],
        &TAX_ID,
        80,
    ),
    rule(&[&["passport"]], &PASSPORT, 85),
    rule(
        &[&["driver", "drivers", "driving"], &["license", "licence"]],
        &DRIVER_LICENSE,
        85,
    ),
    // Network identifiers.
    rule(&[&["ip", "ipv"], &["address", "addr"]], &IP_ADDRESS, 90),
    rule(&[&["ip", "ipv"]], &IP_ADDRESS, 85),
    rule(&[&["remote"], &["address", "addr"]], &IP_ADDRESS, 75),
    rule(&[&["mac"], &["address", "addr"]], &MAC_ADDRESS, 85),
    // Email.
    rule(&[&["email"]], &EMAIL, 90),
    rule(&[&["e"], &["mail"]], &EMAIL, 90),
    rule(&[&["mail"]], &EMAIL, 75),
    // Names of people.
    rule(
        &[
            &[
                "first",
                "last",
                "full",
                "given",
                "family",
                "middle",
                "maiden",
                "nick",
                "sur",
                "fore",
                "legal",
                "preferred",
                "christian",
                "birth",
            ],
            &["name"],
        ],
        &PERSON_NAME,
        85,
    ),
    rule(
        &[&[
            "surname",
            "forename",
            "nickname",
            "firstname",
            "lastname",
            "fullname",
            "givenname",
        ]],
        &PERSON_NAME,
        85,
    ),
    rule(&[&["user", "login"], &["name"]], &USERNAME, 80),
    rule(&[PERSON_ROLES, &["name"]], &PERSON_NAME, 80),
    rule(&[OTHER_PERSON_ROLES, &["name"]], &PERSON_NAME, 75),
    // Phone.
    rule(
        &[&["phone", "telephone", "cellphone", "msisdn"]],
        &PHONE,
        85,
    ),
    rule(
        &[&["mobile", "cell"], &["phone", "number", "num", "no", "nr"]],
        &PHONE,
        85,
    ),
    rule(&[&["contact"], NUMBER], &PHONE, 80),
    rule(&[&["tel", "fax"]], &PHONE, 80),
    rule(&[&["mobile"]], &PHONE, 75),
    // Birth.
    rule(&[&["place"], &["of"], &["birth"]], &BIRTH_PLACE, 75),
    rule(
        &[&["birth"], &["place", "city", "country"]],
        &BIRTH_PLACE,
        75,
    ),
    rule(&[&["birthplace"]], &BIRTH_PLACE, 75),
    rule(
        &[&["date", "dt", "day"], &["of"], &["birth"]],
        &DATE_OF_BIRTH,
        85,
    ),
    rule(
        &[
            &["birth"],
            &["date", "dt", "day", "datetime", "timestamp", "ts"],
        ],
        &DATE_OF_BIRTH,
        85,
    ),
    rule(&[&["birthday", "birthdate"]], &DATE_OF_BIRTH, 85),
    rule(&[&["dob"]], &DATE_OF_BIRTH, 80),
    rule(&[&["bday"]], &DATE_OF_BIRTH, 75),
    rule(&[&["year"], &["of"], &["birth"]], &DATE_OF_BIRTH, 70),
    rule(&[&["birth"], &["year"]], &DATE_OF_BIRTH, 70),
    rule(&[&["birth"]], &DATE_OF_BIRTH, 70),
    // Demographics.
    rule(&[&["gender"]], &GENDER, 85),
    rule(&[&["sex"]], &GENDER, 80),
    rule(
        &[&["nationality", "citizenship", "ethnicity", "religion"]],
        &NRP,
        80,
    ),
    rule(&[&["ethnic"], &["origin", "group"]], &NRP, 80),
    rule(
        &[&["political"], &["party", "affiliation", "opinion", "view"]],
        &NRP,
        75,
    ),
    // Addresses and places.
    rule(&[&["address", "addr"], &["line"]], &ADDRESS, 85),
    rule(&[&["street"]], &ADDRESS, 80),
    rule_not_after(NON_POSTAL_ADDRESS, &[&["address"]], &ADDRESS, 80),
    rule_not_after(NON_POSTAL_ADDRESS, &[&["addr"]], &ADDRESS, 70),
    rule(&[&["city", "town"]], &CITY, 75),
    rule_after(ADDRESS_CONTEXT, &[&["state"], &["code"]], &STATE, 75),
    rule_after(ADDRESS_CONTEXT, &[&["state"]], &STATE, 75),
    rule(&[&["province"]], &STATE, 75),
    rule(
        &[&["zip", "zipcode", "postcode"], &["code"]],
        &POSTAL_CODE,
        85,
    ),
    rule(&[&["zip", "zipcode", "postcode"]], &POSTAL_CODE, 85),
    rule(&[&["postal", "post"], &["code"]], &POSTAL_CODE, 85),
    rule(&[&["country"], &["code", "iso"]], &COUNTRY, 70),
    rule(&[&["country"]], &COUNTRY, 70),
    rule(
        &[&["latitude", "longitude", "geolocation"]],
        &GEOLOCATION,
        70,
    ),
    rule(&[&["gps"]], &GEOLOCATION, 65),
];

/// Words that may follow a match without changing what the column holds.
const NEUTRAL_TAIL: &[&str] = &[
    "address",
    "addr",
    "number",
    "num",
    "no",
    "nr",
    "nbr",
    "value",
    "val",
    "text",
    "txt",
    "str",
    "string",
    "line",
    "name",
    "primary",
    "secondary",
    "main",
    "alt",
    "alternate",
    "other",
    "home",
    "work",
    "personal",
    "business",
    "office",
    "raw",
    "full",
    "enc",
    "encrypted",
    "hash",
    "hashed",
    "digest",
    "masked",
    "plain",
    "clear",
    "lower",
    "normalized",
    "normalised",
    "canonical",
    "original",
    "orig",
    "current",
    "cur",
    "new",
    "old",
    "prev",
    "previous",
];

/// Words that, before a match in the column's own name, make it a flag or a count.
const NEGATING_PREFIX: &[&str] = &[
    "is", "has", "have", "num", "number", "count", "total", "max", "min", "avg", "no",
];

/// Recognises a column by its name. `path` runs from the top-level attribute to this column;
/// the last element is the column's own name, parents add context.
pub fn recognise_name(path: &[&str]) -> Option<Finding> {
    match_name(path).map(|matched| matched.finding)
}

pub(crate) fn match_name(path: &[&str]) -> Option<NameMatch> {
    let (words, own_start) = path_words(path)?;
    let rule = RULES
        .iter()
        .find(|rule| rule_matches(rule, &words, own_start))?;
    let concept = rule.concept;
    Some(NameMatch {
        finding: Finding {
            sensitivity: concept.sensitivity,
            recogniser: concept.id,
            what: concept.what,
            confidence: rule.confidence,
        },
        numeric: concept.numeric,
        confirmed_by: concept.confirmed_by,
        complete: concept.complete,
    })
}

/// Whether the column's own name contains one of `candidates` as a word.
pub(crate) fn own_name_has_any(path: &[&str], candidates: &[&str]) -> bool {
    path.last().is_some_and(|name| {
        name_words(name)
            .iter()
            .any(|w| candidates.contains(&w.as_str()))
    })
}

/// The words of the last few path elements and the index where the own name's words start.
fn path_words(path: &[&str]) -> Option<(Vec<String>, usize)> {
    let (own, parents) = path.split_last()?;
    let parents = &parents[parents.len().saturating_sub(MAX_PATH_ELEMENTS - 1)..];
    let mut words: Vec<String> = parents.iter().flat_map(|p| name_words(p)).collect();
    let own_start = words.len();
    words.extend(name_words(own));
    (words.len() > own_start).then_some((words, own_start))
}

fn rule_matches(rule: &Rule, words: &[String], own_start: usize) -> bool {
    let length = rule.words.len();
    if words.len() < length {
        return false;
    }
    (0..=words.len() - length)
        .rev()
        .take_while(|&start| start + length > own_start)
        .any(|start| matches_at(rule, words, own_start, start))
}

fn matches_at(rule: &Rule, words: &[String], own_start: usize, start: usize) -> bool {
    let end = start + rule.words.len();
    let same_words = rule
        .words
        .iter()
        .zip(&words[start..end])
        .all(|(accepted, word)| accepted.contains(&word.as_str()));
    let before = start.checked_sub(1).map(|i| words[i].as_str());
    same_words
        && words[end..].iter().all(|w| is_neutral(w))
        && (rule.after.is_empty() || before.is_some_and(|b| rule.after.contains(&b)))
        && !before.is_some_and(|b| rule.not_after.contains(&b))
        && !words[own_start.min(start)..start]
            .iter()
            .any(|w| NEGATING_PREFIX.contains(&w.as_str()))
}

fn is_neutral(word: &str) -> bool {
    word.bytes().all(|b| b.is_ascii_digit()) || NEUTRAL_TAIL.contains(&word)
}

/// `customerEmailAddress2` → `customer`, `email`, `address`, `2`.
pub(crate) fn name_words(name: &str) -> Vec<String> {
    let characters: Vec<char> = name.chars().take(MAX_NAME_CHARS).collect();
    let mut raw_words = Vec::new();
    let mut current = String::new();
    for (index, &c) in characters.iter().enumerate() {
        if !c.is_alphanumeric() {
            raw_words.extend(take_word(&mut current));
            continue;
        }
        let previous = index.checked_sub(1).map(|i| characters[i]);
        let following = &characters[index + 1..];
        if !current.is_empty() && previous.is_some_and(|p| is_word_boundary(p, c, following)) {
            raw_words.extend(take_word(&mut current));
        }
        current.push(c);
    }
    raw_words.extend(take_word(&mut current));
    raw_words
        .into_iter()
        .flat_map(|w| split_known_words(&singular(&w.to_ascii_lowercase())))
        .collect()
}

fn take_word(current: &mut String) -> Option<String> {
    (!current.is_empty()).then(|| std::mem::take(current))
}

fn is_word_boundary(previous: char, c: char, following: &[char]) -> bool {
    let lower_to_upper = previous.is_lowercase() && c.is_uppercase();
    // The last capital of an acronym starts the next word when a word follows: `IPAddress` →
    // `IP`, `Address`; but `IPv6` and `SSNs` stay whole.
    let word_follows = following.len() >= 2 && following[..2].iter().all(|f| f.is_lowercase());
    let acronym_end = previous.is_uppercase() && c.is_uppercase() && word_follows;
    let letter_digit = (previous.is_alphabetic() && c.is_numeric())
        || (previous.is_numeric() && c.is_alphabetic());
    lower_to_upper || acronym_end || letter_digit
}

/// Every word the rules, tails and prefixes use; run-together names split only into these.
fn vocabulary() -> &'static HashSet<&'static str> {
    static VOCABULARY: OnceLock<HashSet<&'static str>> = OnceLock::new();
    VOCABULARY.get_or_init(|| {
        let rule_words = RULES.iter().flat_map(|rule| {
            rule.words
                .iter()
                .flat_map(|position| position.iter())
                .chain(rule.after)
                .chain(rule.not_after)
        });
        rule_words
            .chain(NEUTRAL_TAIL)
            .chain(NEGATING_PREFIX)
            .copied()
            .collect()
    })
}

/// `emails` → `email`, `addresses` → `address`, `cities` → `city`, when the singular is a known
/// word.
fn singular(word: &str) -> String {
    let known = |w: &str| vocabulary().contains(w);
    if known(word) {
        return word.to_string();
    }
    if let Some(stem) = word.strip_suffix("ies") {
        let candidate = format!("{stem}y");
        if known(&candidate) {
            return candidate;
        }
    }
    for suffix in ["es", "s"] {
        if let Some(stem) = word.strip_suffix(suffix)
            && known(stem)
        {
            return stem.to_string();
        }
    }
    word.to_string()
}

/// `firstname` → `first`, `name`; `emailaddress` → `email`, `address`. A word that does not
/// split entirely into known words of two letters or more (`mailbox`, `statement`) stays whole.
fn split_known_words(word: &str) -> Vec<String> {
    let vocabulary = vocabulary();
    if vocabulary.contains(word) || !word.is_ascii() || word.len() > MAX_SEGMENTED_CHARS {
        return vec![word.to_string()];
    }
    // fewest[i]: the fewest known words that make up word[..i], and where the last one starts.
    let mut fewest: Vec<Option<(usize, usize)>> = vec![None; word.len() + 1];
    fewest[0] = Some((0, 0));
    for end in 2..=word.len() {
        for start in 0..=end - 2 {
            let Some((count, _)) = fewest[start] else {
                continue;
            };
            let improves = fewest[end].is_none_or(|(best, _)| count + 1 < best);
            if improves && vocabulary.contains(&word[start..end]) {
                fewest[end] = Some((count + 1, start));
            }
        }
    }
    if fewest[word.len()].is_none() {
        return vec![word.to_string()];
    }
    let mut parts = Vec::new();
    let mut end = word.len();
    while end > 0 {
        let Some((_, start)) = fewest[end] else {
            break;
        };
        parts.push(word[start..end].to_string());
        end = start;
    }
    parts.reverse();
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(path: &[&str]) -> Option<&'static str> {
        recognise_name(path).map(|finding| finding.recogniser)
    }

    fn assert_names(expected: &str, names: &[&str]) {
        for name in names {
            assert_eq!(id(&[name]), Some(expected), "{name}");
        }
    }

    #[test]
    fn words_of_every_naming_style() {
        let cases: &[(&str, &[&str])] = &[
            (
                "customerEmailAddress2",
                &["customer", "email", "address", "2"],
            ),
            ("CustomerEmailAddress", &["customer", "email", "address"]),
            ("customer_email_address", &["customer", "email", "address"]),
            ("customer-email-address", &["customer", "email", "address"]),
            ("CUSTOMER_EMAIL", &["customer", "email"]),
            ("IPAddress", &["ip", "address"]),
            ("ipv4", &["ipv", "4"]),
            ("userID", &["user", "id"]),
            ("firstname", &["firstname"]),
            ("homeaddress", &["home", "address"]),
            ("IPv6Address", &["ipv", "6", "address"]),
            ("SSNs", &["ssn"]),
            ("HTTPServer", &["http", "server"]),
            ("dateofbirth", &["date", "of", "birth"]),
            ("ZIPCode", &["zip", "code"]),
            ("emails", &["email"]),
            ("addresses", &["address"]),
            ("cities", &["city"]),
            ("mailbox", &["mailbox"]),
            ("statement", &["statement"]),
            ("e.mail", &["e", "mail"]),
            ("名前", &["名前"]),
            ("", &[]),
            ("__", &[]),
        ];
        for (name, expected) in cases {
            assert_eq!(name_words(name), *expected, "{name}");
        }
    }

    #[test]
    fn sensitive_names() {
        assert_names(
            "name:email",
            &[
                "email",
                "Email",
                "EMAIL",
                "e_mail",
                "E-Mail",
                "eMail",
                "emailAddress",
                "email_address",
                "EmailAddress",
                "email2",
                "customer_email",
                "workEmail",
                "emails",
                "emailaddress",
                "email_hash",
            ],
        );
        assert_names(
            "name:password",
            &[
                "password",
                "Password",
                "passwd",
                "pwd",
                "user_password",
                "passwordHash",
                "pass_word",
                "passcode",
            ],
        );
        assert_names(
            "name:credential",
            &[
                "secret",
                "client_secret",
                "api_key",
                "apiKey",
                "private_key",
                "access_token",
                "refreshToken",
                "aws_secret_access_key",
                "security_answer",
            ],
        );
        assert_names(
            "name:ssn",
            &[
                "ssn",
                "SSN",
                "ssn_number",
                "social_security_number",
                "SocialSecurityNo",
            ],
        );
        assert_names(
            "name:national-id",
            &[
                "national_id",
                "nationalIdentityNumber",
                "nino",
                "bsn",
                "aadhaar_number",
                "dni",
                "codice_fiscale",
                "nhs_number",
                "national_insurance_number",
            ],
        );
        assert_names("name:tax-id", &["tax_id", "taxpayerId", "tax_number"]);
        assert_names(
            "name:passport",
            &["passport", "passport_number", "passportNo"],
        );
        assert_names(
            "name:driver-license",
            &["drivers_license", "driverLicenceNumber"],
        );
        assert_names(
            "name:payment-card",
            &[
                "credit_card",
                "creditCardNumber",
                "credit_card_no",
                "creditcard",
                "card_number",
                "cardNum",
                "cc_num",
                "ccNumber",
                "debit_card",
            ],
        );
        assert_names("name:card-security-code", &["cvv", "CVV2", "cvc"]);
        assert_names("name:iban", &["iban", "IBAN", "payee_iban"]);
        assert_names(
            "name:bank-account",
            &[
                "bank_account",
                "bankAccountNumber",
                "bank_acc",
                "bank_num",
                "account_number",
            ],
        );
        assert_names(
            "name:ip-address",
            &[
                "ip",
                "IP",
                "ip_address",
                "ipAddress",
                "IPAddress",
                "ip_addr",
                "client_ip",
                "lastIp",
                "ipv4",
                "IPv6Address",
                "remote_addr",
                "ipaddress",
            ],
        );
        assert_names("name:mac-address", &["mac_address", "macAddr"]);
        assert_names(
            "name:person-name",
            &[
                "first_name",
                "firstName",
                "FirstName",
                "firstname",
                "last_name",
                "surname",
                "fullName",
                "middle_name",
                "nickname",
                "customer_name",
                "contactName",
                "cardholder_name",
            ],
        );
        assert_names(
            "name:username",
            &["username", "user_name", "userName", "login_name"],
        );
    }

    #[test]
    fn non_sensitive_names() {
        assert_names(
            "name:phone",
            &[
                "phone",
                "phone_number",
                "phoneNumber",
                "PhoneNo",
                "mobile",
                "mobile_no",
                "cellPhone",
                "telephone",
                "tel",
                "fax",
                "home_phone",
                "contact_number",
                "phones",
            ],
        );
        assert_names(
            "name:date-of-birth",
            &[
                "dob",
                "DOB",
                "date_of_birth",
                "dateOfBirth",
                "DateOfBirth",
                "birth_date",
                "birthDate",
                "birthdate",
                "birthday",
                "birth_dt",
            ],
        );
        assert_names(
            "name:birth-place",
            &["place_of_birth", "birth_city", "birthplace"],
        );
        assert_names("name:gender", &["gender", "sex"]);
        assert_names(
            "name:nrp",
            &["nationality", "citizenship", "religion", "ethnicity"],
        );
        assert_names(
            "name:address",
            &[
                "address",
                "Address",
                "street",
                "street_address",
                "address_line1",
                "addressLine2",
                "billing_address",
                "mailing_address",
                "home_address",
                "addr",
            ],
        );
        assert_names("name:city", &["city", "City", "town", "billing_city"]);
        assert_names(
            "name:state",
            &["billing_state", "shippingState", "province"],
        );
        assert_names(
            "name:postal-code",
            &[
                "zip",
                "zip_code",
                "zipCode",
                "ZIPCode",
                "postal_code",
                "postcode",
                "PostCode",
            ],
        );
        assert_names("name:country", &["country", "country_code", "countryName"]);
        assert_names("name:geolocation", &["latitude", "longitude"]);
        for name in ["phone", "dob", "address", "country"] {
            assert_eq!(
                recognise_name(&[name]).unwrap().sensitivity,
                Sensitivity::NonSensitive
            );
        }
        for name in ["email", "ssn", "ip_address", "first_name"] {
            assert_eq!(
                recognise_name(&[name]).unwrap().sensitivity,
                Sensitivity::Sensitive
            );
        }
    }

    #[test]
    fn look_alike_names_are_not_taken() {
        for name in [
            "mailbox_size",
            "mailbox",
            "state_machine",
            "state",
            "order_state",
            "stateMachineArn",
            "user_id",
            "userId",
            "created_date",
            "updated_at",
            "email_verified",
            "emailVerified",
            "is_email_verified",
            "has_phone",
            "email_template",
            "email_sent_at",
            "num_emails",
            "emailCount",
            "phone_verified",
            "name",
            "product_name",
            "table_name",
            "file_name",
            "hostname",
            "address_id",
            "email_id",
            "wallet_address",
            "contract_address",
            "ip_address_version",
            "gift_card_number",
            "card_type",
            "token",
            "token_count",
            "secretary",
            "statement",
            "password_updated_at",
            "password_policy",
            "ssn_last4",
            "zip_file",
            "mobile_app",
            "birth_weight",
            "id",
            "pk",
            "sk",
            "",
            "名前",
        ] {
            assert_eq!(id(&[name]), None, "{name}");
        }
    }

    #[test]
    fn parents_give_context() {
        assert_eq!(
            id(&["customer", "contact", "emailAddress"]),
            Some("name:email")
        );
        assert_eq!(id(&["customer", "name"]), Some("name:person-name"));
        assert_eq!(id(&["product", "name"]), None);
        assert_eq!(id(&["address", "state"]), Some("name:state"));
        assert_eq!(id(&["order", "state"]), None);
        assert_eq!(id(&["address", "line1"]), Some("name:address"));
        assert_eq!(id(&["billingAddress", "city"]), Some("name:city"));
        assert_eq!(id(&["card", "number"]), Some("name:payment-card"));
        assert_eq!(id(&["giftCard", "number"]), None);
        assert_eq!(
            id(&["phone", "number"]),
            None,
            "a match must use the column's own name"
        );
        assert_eq!(id(&["email_settings", "enabled"]), None);
        assert_eq!(id(&["email", "verified"]), None);
        assert_eq!(id(&["ip", "address"]), Some("name:ip-address"));
        assert_eq!(id(&[]), None);
        assert_eq!(
            id(&["a", "b", "c", "d", "e", "customer", "email"]),
            Some("name:email")
        );
    }

    #[test]
    fn confidence_follows_how_telling_the_name_is() {
        let confidence = |name: &str| recognise_name(&[name]).unwrap().confidence;
        assert_eq!(confidence("email"), 90);
        assert_eq!(confidence("password"), 90);
        assert_eq!(confidence("ssn"), 90);
        assert_eq!(confidence("credit_card_number"), 90);
        assert_eq!(confidence("iban"), 90);
        assert_eq!(confidence("mail"), 75);
        assert_eq!(confidence("account_number"), 70);
        assert_eq!(confidence("country"), 70);
        assert!(confidence("dob") < confidence("date_of_birth"));
    }

    #[test]
    fn match_details_for_classify() {
        let email = match_name(&["email"]).unwrap();
        assert!(!email.numeric && email.complete);
        assert_eq!(email.confirmed_by, &[Recogniser::Email]);
        let phone = match_name(&["phone"]).unwrap();
        assert!(phone.numeric && !phone.complete);
        assert!(own_name_has_any(
            &["device", "firmwareVersion"],
            &["version"]
        ));
        assert!(!own_name_has_any(&["version", "ip"], &["version"]));
    }

    #[test]
    fn arbitrary_names_never_panic() {
        let long = "aB_1é€".repeat(10_000);
        let all_known = "email".repeat(100);
        for name in [
            long.as_str(),
            &all_known,
            "\u{0}\u{301}",
            "ǅǈ",
            "İstanbul",
            "ß_SS",
        ] {
            let _ = recognise_name(&[name, name, name]);
        }
        assert!(name_words(&long).concat().chars().count() <= MAX_NAME_CHARS);
    }
}
