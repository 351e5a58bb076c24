//! OpenMetadata's file sink format: a JSON array with one request per line.

use anyhow::Result;
use serde_json::Value;
use std::io::Write;

pub fn write_json_array(mut out: impl Write, records: &[&Value]) -> Result<()> {
    out.write_all(b"[")?;
    for (i, record) in records.iter().enumerate() {
        out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut out, record)?;
    }
    out.write_all(b"\n]\n")?;
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_record_per_line_in_an_array() {
        let mut out = Vec::new();
        let a = json!({"name": "a"});
        let b = json!({"name": "b"});
        write_json_array(&mut out, &[&a, &b]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, "[\n{\"name\":\"a\"},\n{\"name\":\"b\"}\n]\n");
        let parsed: Vec<Value> = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed.len(), 2);
    }

    #[test]
    fn empty_array() {
        let mut out = Vec::new();
        write_json_array(&mut out, &[]).unwrap();
        assert_eq!(serde_json::from_slice::<Vec<Value>>(&out).unwrap().len(), 0);
    }
}
