//! Which field a JSON error is about: serde_json says where (line and column) a value had the
//! wrong type; a scan of the text up to there says which keys and indexes lead to it
//! (`Table.KeySchema[0].KeyType`). Cheaper, in a component, than deserializing through a
//! path-tracking wrapper for every answer.

/// The path of the value at `line`:`column` (1-based, as serde_json counts) of `text`, or
/// `None` for the document itself.
pub fn at(text: &[u8], line: usize, column: usize) -> Option<String> {
    let offset = offset_of(text, line, column)?;
    // What each open container is, and where inside it the scan is.
    enum Frame {
        Object { key: Option<String> },
        Array { index: usize },
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    let mut expecting_key = false;
    while i < offset.min(text.len()) {
        match text[i] {
            b'{' => {
                stack.push(Frame::Object { key: None });
                expecting_key = true;
            }
            b'[' => {
                stack.push(Frame::Array { index: 0 });
                expecting_key = false;
            }
            b'}' | b']' => {
                stack.pop();
                expecting_key = false;
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array { index }) => *index += 1,
                Some(Frame::Object { .. }) => expecting_key = true,
                None => {}
            },
            b':' => expecting_key = false,
            b'"' => {
                let (string, end) = read_string(text, i);
                if expecting_key && let Some(Frame::Object { key }) = stack.last_mut() {
                    *key = Some(string);
                }
                i = end;
            }
            _ => {}
        }
        i += 1;
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object { key: Some(key) } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Object { key: None } => {}
            Frame::Array { index } => path.push_str(&format!("[{index}]")),
        }
    }
    (!path.is_empty()).then_some(path)
}

/// The byte offset of 1-based `line` and `column`.
fn offset_of(text: &[u8], line: usize, column: usize) -> Option<usize> {
    let mut current = 1;
    let mut start = 0;
    for (i, byte) in text.iter().enumerate() {
        if current == line {
            break;
        }
        if *byte == b'\n' {
            current += 1;
            start = i + 1;
        }
    }
    (current == line).then_some(start + column.saturating_sub(1))
}

/// The string starting at `text[start] == b'"'` (escapes kept as written, enough for a key),
/// and the offset of its closing quote.
fn read_string(text: &[u8], start: usize) -> (String, usize) {
    let mut i = start + 1;
    while i < text.len() {
        match text[i] {
            b'\\' => i += 2,
            b'"' => break,
            _ => i += 1,
        }
    }
    let end = i.min(text.len());
    (
        String::from_utf8_lossy(&text[(start + 1).min(end)..end]).into_owned(),
        end,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamodb::model::DescribeTableOutput;

    fn path_of_error(json: &str) -> Option<String> {
        let e = serde_json::from_str::<DescribeTableOutput>(json).unwrap_err();
        at(json.as_bytes(), e.line(), e.column())
    }

    #[test]
    fn names_the_field_of_a_wrong_type() {
        assert_eq!(
            path_of_error(r#"{"Table":{"TableName":"t","KeySchema":"many"}}"#).as_deref(),
            Some("Table.KeySchema")
        );
        assert_eq!(
            path_of_error(
                "{\"Table\": {\n  \"KeySchema\": [{\"AttributeName\": \"a\", \"KeyType\": \"HASH\"},\n    {\"AttributeName\": 7}]}}"
            )
            .as_deref(),
            Some("Table.KeySchema[1].AttributeName")
        );
        assert_eq!(
            path_of_error(r#"{"Table":{"TableStatus":7,"x":"a\"b"}}"#).as_deref(),
            Some("Table.TableStatus")
        );
    }

    #[test]
    fn garbage_positions_are_not_a_panic() {
        assert_eq!(at(b"", 9, 9), None);
        assert_eq!(at(b"{\"a\": \"unterminated", 1, 50).as_deref(), Some("a"));
        assert_eq!(at(b"[[[", 1, 3), Some("[0][0]".to_string()));
    }
}
