//! Reading and classifying AWS error responses. DynamoDB answers JSON
//! (`{"__type": "...#Code", "message": "..."}`), STS and moto's auth layer answer XML
//! (`<Code>..</Code><Message>..</Message>`); both are handled.

use http::HeaderMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

/// What to do about an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// Slow down and retry.
    Throttling,
    /// A server-side fault: retry.
    Transient,
    /// The credentials or the signature are not accepted: nothing will work, stop.
    Credentials,
    /// The identity may not make this call.
    AccessDenied,
    /// Anything else the caller did wrong or asked for something absent: do not retry.
    Client,
}

const MAX_MESSAGE_CHARS: usize = 1000;

impl ServiceError {
    pub fn parse(status: u16, headers: &HeaderMap, body: &[u8]) -> ServiceError {
        let text = String::from_utf8_lossy(body);
        let (mut code, message) = parse_json(&text)
            .or_else(|| parse_xml(&text))
            .unwrap_or_default();
        if code.is_empty() {
            code = headers
                .get("x-amzn-errortype")
                .and_then(|v| v.to_str().ok())
                .map(|v| v.split(':').next().unwrap_or(v).to_string())
                .unwrap_or_default();
        }
        if code.is_empty() {
            code = format!("HTTP{status}");
        }
        let message = if message.is_empty() {
            let snippet = text.trim();
            if snippet.is_empty() {
                "(empty response body)".to_string()
            } else {
                snippet.to_string()
            }
        } else {
            message
        };
        ServiceError {
            status,
            code: clean(&code, 200),
            message: clean(&message, MAX_MESSAGE_CHARS),
        }
    }

    pub fn class(&self) -> ErrorClass {
        match self.code.as_str() {
            "ThrottlingException"
            | "Throttling"
            | "ProvisionedThroughputExceededException"
            | "RequestLimitExceeded"
            | "TooManyRequestsException"
            | "RequestThrottled"
            | "RequestThrottledException"
            | "SlowDown" => ErrorClass::Throttling,
            "UnrecognizedClientException"
            | "InvalidSignatureException"
            | "SignatureDoesNotMatch"
            | "InvalidClientTokenId"
            | "IncompleteSignatureException"
            | "IncompleteSignature"
            | "MissingAuthenticationToken"
            | "MissingAuthenticationTokenException"
            | "ExpiredToken"
            | "ExpiredTokenException"
            | "InvalidAccessKeyId"
            | "AuthFailure" => ErrorClass::Credentials,
            "AccessDeniedException" | "AccessDenied" | "UnauthorizedOperation" => {
                ErrorClass::AccessDenied
            }
            "InternalServerError" | "InternalFailure" | "ServiceUnavailable" | "InternalError" => {
                ErrorClass::Transient
            }
            _ if self.status == 429 => ErrorClass::Throttling,
            _ if self.status >= 500 => ErrorClass::Transient,
            _ => ErrorClass::Client,
        }
    }
}

fn parse_json(text: &str) -> Option<(String, String)> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let object = value.as_object()?;
    let code = object
        .get("__type")
        .or_else(|| object.get("code"))
        .or_else(|| object.get("Code"))
        .and_then(|v| v.as_str())
        .map(|t| t.rsplit('#').next().unwrap_or(t).to_string())
        .unwrap_or_default();
    let message = object
        .get("message")
        .or_else(|| object.get("Message"))
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string();
    Some((code, message))
}

fn parse_xml(text: &str) -> Option<(String, String)> {
    let code = xml_element(text, "Code")?;
    let message = xml_element(text, "Message").unwrap_or_default();
    Some((code, message))
}

/// The text of the first `<name>...</name>` element, unescaped. Enough for AWS's flat error and
/// credential documents; not a general XML parser.
pub fn xml_element(text: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = text.find(&open)? + open.len();
    let end = start + text[start..].find(&close)?;
    Some(xml_unescape(text[start..end].trim()))
}

fn xml_unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// One line, printable, bounded: the text ends up in summaries and logs.
fn clean(text: &str, max_chars: usize) -> String {
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(max_chars)
        .collect();
    if text.chars().count() > max_chars {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(status: u16, body: &str) -> ServiceError {
        ServiceError::parse(status, &HeaderMap::new(), body.as_bytes())
    }

    #[test]
    fn dynamodb_json_errors() {
        let e = parse(
            400,
            r#"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}"#,
        );
        assert_eq!(e.code, "ResourceNotFoundException");
        assert_eq!(e.message, "Requested resource not found");
        assert_eq!(e.class(), ErrorClass::Client);

        let e = parse(
            400,
            r#"{"__type":"com.amazon.coral.service#UnrecognizedClientException","Message":"The security token included in the request is invalid."}"#,
        );
        assert_eq!(e.class(), ErrorClass::Credentials);
        assert_eq!(
            e.message,
            "The security token included in the request is invalid."
        );
    }

    #[test]
    fn moto_xml_errors() {
        let e = parse(
            403,
            "<?xml version=\"1.0\"?><ErrorResponse><Error><Code>SignatureDoesNotMatch</Code>\
             <Message>The request signature we calculated does not match the signature you provided.</Message>\
             </Error></ErrorResponse>",
        );
        assert_eq!(e.code, "SignatureDoesNotMatch");
        assert_eq!(e.class(), ErrorClass::Credentials);
    }

    #[test]
    fn throttling_and_server_faults_are_retryable_classes() {
        let e = parse(
            400,
            r#"{"__type":"x#ThrottlingException","message":"Rate exceeded"}"#,
        );
        assert_eq!(e.class(), ErrorClass::Throttling);
        let e = parse(
            400,
            r#"{"__type":"x#ProvisionedThroughputExceededException","message":"m"}"#,
        );
        assert_eq!(e.class(), ErrorClass::Throttling);
        let e = parse(503, "");
        assert_eq!(e.code, "HTTP503");
        assert_eq!(e.message, "(empty response body)");
        assert_eq!(e.class(), ErrorClass::Transient);
        assert_eq!(parse(429, "slow down").class(), ErrorClass::Throttling);
    }

    #[test]
    fn code_from_header_when_body_has_none() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-amzn-ErrorType",
            "AccessDeniedException:http://internal.amazon.com/coral/"
                .parse()
                .unwrap(),
        );
        let e = ServiceError::parse(400, &headers, b"");
        assert_eq!(e.code, "AccessDeniedException");
        assert_eq!(e.class(), ErrorClass::AccessDenied);
    }

    #[test]
    fn messages_are_one_bounded_line() {
        let long = format!(
            "{{\"__type\":\"x#Y\",\"message\":\"a\\nb{}\"}}",
            "c".repeat(5000)
        );
        let e = parse(400, &long);
        assert!(!e.message.contains('\n'));
        assert!(e.message.chars().count() <= MAX_MESSAGE_CHARS + 1);
    }

    #[test]
    fn xml_elements_are_unescaped() {
        assert_eq!(
            xml_element("<A><Key>a&amp;b&lt;c</Key></A>", "Key").as_deref(),
            Some("a&b<c")
        );
        assert_eq!(xml_element("<A></A>", "Key"), None);
    }
}
