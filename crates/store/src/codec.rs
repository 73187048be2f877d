//! Value encoding: one version byte, then postcard. The version byte lets a record type read
//! rows written by an older build (see [`super::Record::upgrade`]) and lets an older build
//! refuse rows it does not understand instead of misreading them.

use super::StoreError;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub fn encode<T: Serialize>(version: u8, value: &T) -> Result<Vec<u8>, StoreError> {
    let mut out = vec![version];
    postcard::to_io(value, &mut out)
        .map_err(|e| StoreError::Corrupt(format!("encode failed: {e}")))?;
    Ok(out)
}

/// Splits a stored value into its version and body.
pub fn split(bytes: &[u8]) -> Result<(u8, &[u8]), StoreError> {
    match bytes.split_first() {
        Some((v, body)) => Ok((*v, body)),
        None => Err(StoreError::Corrupt("empty value".into())),
    }
}

pub fn body<T: DeserializeOwned>(what: &str, body: &[u8]) -> Result<T, StoreError> {
    postcard::from_bytes(body).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

/// Reads a row written before `tail` was appended to its type: postcard writes a struct as
/// its fields one after another, so the old body followed by the new field's default is a
/// body of the new type. For new fields added at the end of a struct only.
pub fn with_tail<T: DeserializeOwned, U: Serialize>(
    what: &str,
    old: &[u8],
    tail: &U,
) -> Result<T, StoreError> {
    let mut b = old.to_vec();
    postcard::to_io(tail, &mut b)
        .map_err(|e| StoreError::Corrupt(format!("encode failed: {e}")))?;
    body(what, &b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_version() {
        let bytes = encode(3, &("заявка", 42u64)).expect("encode");
        let (v, b) = split(&bytes).expect("split");
        assert_eq!(v, 3);
        let back: (String, u64) = body("t", b).expect("decode");
        assert_eq!(back, ("заявка".to_string(), 42));
        assert!(split(&[]).is_err());
        assert!(body::<(String, u64)>("t", &[0xff, 0xff]).is_err());
    }

    #[test]
    fn a_row_written_before_a_field_was_appended_reads_with_its_default() {
        #[derive(serde::Serialize)]
        struct Old {
            n: u64,
            name: String,
        }
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct New {
            n: u64,
            name: String,
            extra: Option<String>,
        }
        let bytes = encode(
            1,
            &Old {
                n: 7,
                name: "запрос".into(),
            },
        )
        .expect("encode");
        let (_, b) = split(&bytes).expect("split");
        let new: New = with_tail("t", b, &None::<String>).expect("upgrade");
        assert_eq!(
            new,
            New {
                n: 7,
                name: "запрос".into(),
                extra: None
            }
        );
    }
}
