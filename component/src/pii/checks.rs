//! Check-digit algorithms behind the value recognisers. Inputs are ASCII bytes; anything that
//! is not of the expected alphabet makes a check fail, never panic.

/// The value of an ASCII decimal digit.
pub fn digit(byte: u8) -> Option<u32> {
    byte.is_ascii_digit().then(|| u32::from(byte - b'0'))
}

/// The digits as one number, if they are all digits and it fits in a `u64`.
pub fn decimal(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |number, &byte| {
        number.checked_mul(10)?.checked_add(u64::from(digit(byte)?))
    })
}

/// Luhn (mod 10): the last digit is the check digit. Used by payment cards and the Swedish
/// personnummer.
pub fn luhn_valid(digits: &[u8]) -> bool {
    if digits.is_empty() {
        return false;
    }
    let mut sum = 0;
    for (position_from_right, &byte) in digits.iter().rev().enumerate() {
        let Some(value) = digit(byte) else {
            return false;
        };
        sum += if position_from_right % 2 == 1 {
            let doubled = value * 2;
            if doubled > 9 { doubled - 9 } else { doubled }
        } else {
            value
        };
    }
    sum % 10 == 0
}

/// ISO 7064 MOD 97-10 remainder of an alphanumeric string, letters counting as 10 (A) to 35
/// (Z) as in IBANs. `None` for any other character.
pub fn mod97(alphanumerics: &[u8]) -> Option<u32> {
    if alphanumerics.is_empty() {
        return None;
    }
    alphanumerics.iter().try_fold(0u32, |remainder, &byte| {
        let byte = byte.to_ascii_uppercase();
        match byte {
            b'0'..=b'9' => Some((remainder * 10 + u32::from(byte - b'0')) % 97),
            b'A'..=b'Z' => Some((remainder * 100 + u32::from(byte - b'A') + 10) % 97),
            _ => None,
        }
    })
}

/// IBAN check (ISO 13616): the country code and check digits moved to the end, the whole read
/// as a number, must leave 1 modulo 97. `compact` has no spaces.
pub fn iban_mod97_valid(compact: &[u8]) -> bool {
    if compact.len() < 5 {
        return false;
    }
    let (head, bban) = compact.split_at(4);
    let rearranged: Vec<u8> = bban.iter().chain(head).copied().collect();
    mod97(&rearranged) == Some(1)
}

const VERHOEFF_MULTIPLICATION: [[u8; 10]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];

const VERHOEFF_PERMUTATION: [[u8; 10]; 8] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/// Verhoeff (dihedral group D5): the last digit is the check digit. Used by Aadhaar.
pub fn verhoeff_valid(digits: &[u8]) -> bool {
    if digits.is_empty() {
        return false;
    }
    let mut check = 0usize;
    for (position_from_right, &byte) in digits.iter().rev().enumerate() {
        let Some(value) = digit(byte) else {
            return false;
        };
        let permuted = VERHOEFF_PERMUTATION[position_from_right % 8][value as usize];
        check = usize::from(VERHOEFF_MULTIPLICATION[check][usize::from(permuted)]);
    }
    check == 0
}

/// The Dutch "11-proof" of a 9-digit BSN: 9·d1 + 8·d2 + … + 2·d8 − d9 ≡ 0 (mod 11).
pub fn bsn_eleven_proof(digits: &[u8]) -> bool {
    if digits.len() != 9 {
        return false;
    }
    let mut sum: i64 = 0;
    for (index, &byte) in digits.iter().enumerate() {
        let Some(value) = digit(byte) else {
            return false;
        };
        let weight = if index == 8 { -1 } else { 9 - index as i64 };
        sum += weight * i64::from(value);
    }
    sum != 0 && sum % 11 == 0
}

const DNI_LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";

/// The check letter of a Spanish DNI number (an NIE's X/Y/Z already replaced by 0/1/2).
pub fn dni_letter(number: u64) -> u8 {
    DNI_LETTERS[(number % 23) as usize]
}

const HETU_CHARACTERS: &[u8; 31] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";

/// The check character of a Finnish HETU: the nine digits DDMMYYZZZ modulo 31.
pub fn hetu_check_character(date_and_individual_number: u64) -> u8 {
    HETU_CHARACTERS[(date_and_individual_number % 31) as usize]
}

/// Values of the odd (1st, 3rd, …) characters of an Italian codice fiscale, indexed by digit
/// 0–9 then letter A–Z.
const CODICE_FISCALE_ODD: [u32; 36] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, // 0–9
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24,
    23, // A–Z
];

/// The check letter of an Italian codice fiscale from its first 15 characters (uppercase).
pub fn codice_fiscale_check_letter(first_fifteen: &[u8]) -> Option<u8> {
    if first_fifteen.len() != 15 {
        return None;
    }
    let mut sum = 0;
    for (index, &byte) in first_fifteen.iter().enumerate() {
        let (alphabet_index, even_value) = match byte {
            b'0'..=b'9' => (usize::from(byte - b'0'), u32::from(byte - b'0')),
            b'A'..=b'Z' => (usize::from(byte - b'A') + 10, u32::from(byte - b'A')),
            _ => return None,
        };
        // 0-based even indexes are the 1st, 3rd, … characters: the "odd" ones of the spec.
        sum += if index % 2 == 0 {
            CODICE_FISCALE_ODD[alphabet_index]
        } else {
            even_value
        };
    }
    Some(b'A' + (sum % 26) as u8)
}

/// The key of a French NIR: 97 − (the 13-digit number mod 97). The caller has replaced Corsica's
/// 2A and 2B by 19 and 18.
pub fn nir_key(thirteen_digits: u64) -> u64 {
    97 - thirteen_digits % 97
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_vectors() {
        assert!(luhn_valid(b"4111111111111111"));
        assert!(!luhn_valid(b"4111111111111112"));
        assert!(luhn_valid(b"8112289874"));
        assert!(luhn_valid(b"0"));
        assert!(!luhn_valid(b""));
        assert!(!luhn_valid(b"41111x1111111111"));
    }

    #[test]
    fn mod97_vectors() {
        assert!(iban_mod97_valid(b"GB82WEST12345698765432"));
        assert!(iban_mod97_valid(b"DE89370400440532013000"));
        assert!(iban_mod97_valid(b"gb82west12345698765432"));
        assert!(!iban_mod97_valid(b"GB82WEST12345698765433"));
        assert!(!iban_mod97_valid(b"GB82"));
        assert_eq!(mod97(b"GB-2"), None);
        assert_eq!(mod97(b""), None);
    }

    #[test]
    fn verhoeff_vectors() {
        assert!(verhoeff_valid(b"2363"));
        assert!(!verhoeff_valid(b"2364"));
        assert!(verhoeff_valid(b"123451"));
        assert!(verhoeff_valid(b"234123412346"));
        assert!(!verhoeff_valid(b"234123412347"));
        assert!(!verhoeff_valid(b"23412341234a"));
    }

    #[test]
    fn bsn_vectors() {
        assert!(bsn_eleven_proof(b"111222333"));
        assert!(bsn_eleven_proof(b"123456782"));
        assert!(!bsn_eleven_proof(b"123456789"));
        assert!(!bsn_eleven_proof(b"000000000"));
        assert!(!bsn_eleven_proof(b"12345678"));
    }

    #[test]
    fn letter_and_character_checks() {
        assert_eq!(dni_letter(12_345_678), b'Z');
        assert_eq!(dni_letter(1_234_567), b'L');
        assert_eq!(hetu_check_character(131_052_308), b'T');
        assert_eq!(codice_fiscale_check_letter(b"RSSMRA85T10A562"), Some(b'S'));
        assert_eq!(codice_fiscale_check_letter(b"MRTMTT91D08F205"), Some(b'J'));
        assert_eq!(codice_fiscale_check_letter(b"rssmra85t10a562"), None);
        assert_eq!(nir_key(2_690_549_588_157), 80);
        assert_eq!(nir_key(2_550_814_168_025), 38);
    }

    #[test]
    fn decimal_parses_digits_only_and_does_not_overflow() {
        assert_eq!(decimal(b"0012"), Some(12));
        assert_eq!(decimal(b""), None);
        assert_eq!(decimal(b"1a"), None);
        assert_eq!(decimal(b"99999999999999999999999"), None);
    }
}
