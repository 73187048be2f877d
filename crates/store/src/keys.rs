//! Memcomparable keys: byte strings whose order is the order of the values they encode, so a
//! redb range scan over an index is a sorted, filtered list.

/// Builds an index key field by field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Key(pub Vec<u8>);

impl Key {
    pub fn new(prefix: u8) -> Key {
        Key(vec![prefix])
    }
    pub fn u8(mut self, v: u8) -> Key {
        self.0.push(v);
        self
    }
    pub fn u32(mut self, v: u32) -> Key {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    pub fn u64(mut self, v: u64) -> Key {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    /// Signed values with the sign bit flipped, so negatives sort first.
    pub fn i64(mut self, v: i64) -> Key {
        self.0
            .extend_from_slice(&((v as u64) ^ (1 << 63)).to_be_bytes());
        self
    }
    /// Text as a sort key: normalised (lowercase, ё→е), cut to `max` bytes on a character
    /// boundary, and terminated by 0 so that a shorter string sorts before its extensions.
    pub fn text(mut self, s: &str, max: usize) -> Key {
        let norm = volost_domain::validate::normalize_name(s);
        let mut end = norm.len().min(max);
        while !norm.is_char_boundary(end) {
            end -= 1;
        }
        self.0
            .extend(norm.as_bytes()[..end].iter().filter(|b| **b != 0));
        self.0.push(0);
        self
    }
    pub fn date(self, d: time::Date) -> Key {
        self.u32(d.to_julian_day() as u32)
    }
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

/// The smallest key greater than every key starting with `prefix` (for range ends).
pub fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// The exclusive end of the range of keys that start with `prefix`. (A prefix of only 0xff
/// bytes, which no index uses, gets one byte more of them.)
pub fn prefix_upper(prefix: &[u8]) -> Vec<u8> {
    prefix_end(prefix).unwrap_or_else(|| vec![0xff; prefix.len() + 1])
}

/// Reads the trailing big-endian `u64` id every list and lookup key ends with.
pub fn trailing_id(key: &[u8]) -> Option<u64> {
    let start = key.len().checked_sub(8)?;
    let bytes: [u8; 8] = key[start..].try_into().ok()?;
    Some(u64::from_be_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_value_order() {
        assert!(Key::new(1).i64(-5).0 < Key::new(1).i64(3).0);
        assert!(Key::new(1).text("Ёлкин", 16).0 > Key::new(1).text("Елизаров", 16).0);
        assert!(Key::new(1).text("аб", 16).0 < Key::new(1).text("абв", 16).0);
        assert_eq!(prefix_end(&[1, 0xff]), Some(vec![2]));
        assert_eq!(trailing_id(&Key::new(3).u64(77).0), Some(77));
    }
}
