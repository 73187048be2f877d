//! Validation of identifiers and form fields. Every check returns the normalised value (the
//! way it is stored and shown) or a Russian message for the field.

use super::catalog::{Field, FieldType};
use super::ids::parse_date;

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Only digits and the usual separators may appear; letters mean a typo, not formatting.
fn only_digits_and_separators(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '+' | '.'))
}

fn d(s: &str, i: usize) -> u32 {
    u32::from(s.as_bytes()[i] - b'0')
}

/// СНИЛС: 11 digits, the last two a checksum of the first nine. Numbers up to 001-001-998 were
/// issued before checksums existed and are accepted as they are.
pub fn snils(input: &str) -> Result<String, String> {
    let s = digits(input);
    if !only_digits_and_separators(input) || s.len() != 11 {
        return Err("СНИЛС должен состоять из 11 цифр".into());
    }
    let number: u64 = s[..9]
        .parse()
        .map_err(|_| "СНИЛС должен состоять из 11 цифр")?;
    let given = d(&s, 9) * 10 + d(&s, 10);
    if number > 1_001_998 {
        let sum: u32 = (0..9).map(|i| d(&s, i) * (9 - i as u32)).sum();
        let check = match sum {
            0..=99 => sum,
            100 | 101 => 0,
            _ => {
                let r = sum % 101;
                if r == 100 { 0 } else { r }
            }
        };
        if check != given {
            return Err("Неверная контрольная сумма СНИЛС".into());
        }
    }
    Ok(format!(
        "{}-{}-{} {}",
        &s[0..3],
        &s[3..6],
        &s[6..9],
        &s[9..11]
    ))
}

fn weighted(s: &str, weights: &[u32]) -> u32 {
    weights
        .iter()
        .enumerate()
        .map(|(i, w)| d(s, i) * w)
        .sum::<u32>()
        % 11
        % 10
}

/// ИНН: 10 digits (организация) or 12 digits (физическое лицо, ИП), with their check digits.
pub fn inn(input: &str) -> Result<String, String> {
    let s = digits(input);
    if !only_digits_and_separators(input) || (s.len() != 10 && s.len() != 12) {
        return Err("ИНН должен состоять из 10 или 12 цифр".into());
    }
    let ok = if s.len() == 10 {
        weighted(&s, &[2, 4, 10, 3, 5, 9, 4, 6, 8]) == d(&s, 9)
    } else {
        weighted(&s, &[7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == d(&s, 10)
            && weighted(&s, &[3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == d(&s, 11)
    };
    if ok {
        Ok(s)
    } else {
        Err("Неверная контрольная сумма ИНН".into())
    }
}

/// ОГРН (13 digits) or ОГРНИП (15 digits): the last digit is the remainder of the rest.
pub fn ogrn(input: &str) -> Result<String, String> {
    let s = digits(input);
    if !only_digits_and_separators(input) || (s.len() != 13 && s.len() != 15) {
        return Err("ОГРН должен состоять из 13 цифр, ОГРНИП — из 15".into());
    }
    let n = s.len();
    let body: u64 = s[..n - 1]
        .parse()
        .map_err(|_| "ОГРН должен состоять из цифр")?;
    let modulus = if n == 13 { 11 } else { 13 };
    let check = (body % modulus % 10) as u32;
    if check == d(&s, n - 1) {
        Ok(s)
    } else {
        Err("Неверная контрольная сумма ОГРН".into())
    }
}

/// КПП: four digits (the tax office), two digits or capital Latin letters (the reason),
/// three digits (ФНС's format since 2013).
pub fn kpp(input: &str) -> Result<String, String> {
    let s = input.trim();
    let b = s.as_bytes();
    let ok = b.len() == 9
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4..6]
            .iter()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        && b[6..].iter().all(u8::is_ascii_digit);
    if ok {
        Ok(s.to_string())
    } else {
        Err("КПП: 9 знаков — 4 цифры, 2 цифры или заглавные латинские буквы, 3 цифры".into())
    }
}

/// Паспорт гражданина РФ: series of 4 digits and number of 6, shown as `1234 567890`.
pub fn passport(input: &str) -> Result<String, String> {
    let s = digits(input);
    if !only_digits_and_separators(input) || s.len() != 10 {
        return Err("Серия и номер паспорта: 4 и 6 цифр, например 0104 123456".into());
    }
    if s[..4] == *"0000" || s[4..] == *"000000" {
        return Err("Серия и номер паспорта не могут быть нулевыми".into());
    }
    Ok(format!("{} {}", &s[..4], &s[4..]))
}

/// Телефон: a Russian number, stored as `+7 XXX XXX-XX-XX`.
pub fn phone(input: &str) -> Result<String, String> {
    let mut s = digits(input);
    if !only_digits_and_separators(input) {
        return Err("Телефон может содержать только цифры".into());
    }
    if s.len() == 11 && (s.starts_with('7') || s.starts_with('8')) {
        s.remove(0);
    }
    if s.len() != 10 {
        return Err("Телефон: 10 цифр после +7, например +7 913 123-45-67".into());
    }
    Ok(format!(
        "+7 {} {}-{}-{}",
        &s[..3],
        &s[3..6],
        &s[6..8],
        &s[8..]
    ))
}

/// Checks one field's value against its template. An empty value is refused only when the
/// field is required; otherwise it is stored as absent (`Ok(None)`).
pub fn field(f: &Field, raw: &str) -> Result<Option<String>, String> {
    let v = raw.trim();
    if v.is_empty() {
        return if f.required {
            Err("Требуется".into())
        } else {
            Ok(None)
        };
    }
    let out = match f.ftype {
        FieldType::Text => {
            let max = f.max_len.unwrap_or(2000) as usize;
            if v.chars().count() > max {
                return Err(format!("Не более {max} символов"));
            }
            if v.chars().any(|c| c.is_control() && c != '\n') {
                return Err("Недопустимые символы".into());
            }
            v.to_string()
        }
        FieldType::Number => {
            let n: i64 = v
                .replace(' ', "")
                .parse()
                .map_err(|_| "Введите целое число".to_string())?;
            if let Some(min) = f.min
                && n < min
            {
                return Err(format!("Не меньше {min}"));
            }
            if let Some(max) = f.max
                && n > max
            {
                return Err(format!("Не больше {max}"));
            }
            n.to_string()
        }
        FieldType::Date => {
            let d = parse_date(v).ok_or("Дата в формате ДД.ММ.ГГГГ")?;
            super::ids::display_date(d)
        }
        FieldType::Snils => snils(v)?,
        FieldType::Inn => inn(v)?,
        FieldType::Ogrn => ogrn(v)?,
        FieldType::Passport => passport(v)?,
        FieldType::Phone => phone(v)?,
        FieldType::Choice => {
            if !f.choices.iter().any(|c| c == v) {
                return Err("Выберите значение из списка".into());
            }
            v.to_string()
        }
        // A file field holds the id of an attachment kept by the node; the service layer
        // checks that it exists.
        FieldType::File => v.to_string(),
    };
    Ok(Some(out))
}

/// Lowercase with ё folded to е and spaces collapsed: the key for name lookups, so that
/// «Семёнов» and «СЕМЕНОВ» find the same person.
pub fn normalize_name(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            w.chars()
                .flat_map(char::to_lowercase)
                .map(|c| if c == 'ё' { 'е' } else { c })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snils_checksums() {
        assert_eq!(snils("112-233-445 95").as_deref(), Ok("112-233-445 95"));
        assert_eq!(snils("11223344595").as_deref(), Ok("112-233-445 95"));
        assert!(snils("112-233-445 96").is_err());
        assert!(snils("112-233-44").is_err());
        assert!(snils("11a-233-445 95").is_err());
        // Issued before checksums.
        assert!(snils("001-001-998 00").is_ok());
    }

    #[test]
    fn inn_checksums() {
        assert_eq!(inn("7707083893").as_deref(), Ok("7707083893")); // Сбербанк
        assert!(inn("7707083894").is_err());
        assert_eq!(inn("500100732259").as_deref(), Ok("500100732259"));
        assert!(inn("500100732258").is_err());
        assert!(inn("12345").is_err());
    }

    #[test]
    fn ogrn_checksums() {
        assert_eq!(ogrn("1027700132195").as_deref(), Ok("1027700132195")); // Сбербанк
        assert!(ogrn("1027700132196").is_err());
        assert_eq!(ogrn("304500116000157").as_deref(), Ok("304500116000157"));
        assert!(ogrn("304500116000158").is_err());
    }

    #[test]
    fn passport_and_phone() {
        assert_eq!(passport("0104123456").as_deref(), Ok("0104 123456"));
        assert!(passport("0104 12345").is_err());
        assert_eq!(
            phone("8 (913) 123-45-67").as_deref(),
            Ok("+7 913 123-45-67")
        );
        assert!(phone("123").is_err());
    }

    #[test]
    fn names_fold_case_and_yo() {
        assert_eq!(normalize_name("  СЕМЁНОВ   Пётр "), "семенов петр");
    }
}
