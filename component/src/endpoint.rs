//! Where requests go: the configured `endPointURL` or the regional AWS endpoint, and the AWS
//! console address of a table.

use crate::error::ConnectorError;
use http::uri::{Scheme, Uri};

/// A validated service endpoint: `scheme://authority/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    uri: Uri,
}

impl Endpoint {
    /// Parses a user-given endpoint URL. `key` names the setting in errors.
    pub fn parse(url: &str, key: &str) -> Result<Endpoint, ConnectorError> {
        let invalid = |why: &str| ConnectorError::config(key, format!("`{url}` {why}"));
        let uri: Uri = url
            .trim()
            .parse()
            .map_err(|e| invalid(&format!("is not a URL: {e}")))?;
        let scheme = uri
            .scheme()
            .ok_or_else(|| invalid("has no scheme: write http://... or https://..."))?;
        if *scheme != Scheme::HTTP && *scheme != Scheme::HTTPS {
            return Err(invalid("must start with http:// or https://"));
        }
        let authority = uri.authority().ok_or_else(|| invalid("has no host"))?;
        if authority.as_str().contains('@') {
            return Err(invalid("must not carry a user name or password"));
        }
        if authority.host().is_empty() {
            return Err(invalid("has no host"));
        }
        if uri.query().is_some() || !matches!(uri.path(), "" | "/") {
            return Err(invalid("must be a bare endpoint without a path or query"));
        }
        let uri = Uri::builder()
            .scheme(scheme.clone())
            .authority(authority.clone())
            .path_and_query("/")
            .build()
            .map_err(|e| invalid(&format!("is not a URL: {e}")))?;
        Ok(Endpoint { uri })
    }

    /// The regional endpoint of an AWS service, e.g. `https://dynamodb.us-east-1.amazonaws.com/`.
    pub fn regional(service: &str, region: &str) -> Result<Endpoint, ConnectorError> {
        let url = format!("https://{service}.{region}.{}/", dns_suffix(region));
        Endpoint::parse(&url, crate::settings::keys::REGION)
    }

    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    pub fn host(&self) -> &str {
        self.uri.host().unwrap_or_default()
    }

    pub fn as_str(&self) -> String {
        self.uri.to_string()
    }
}

/// `amazonaws.com.cn` in the China partition, `amazonaws.com` elsewhere.
fn dns_suffix(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    }
}

/// The DynamoDB endpoint for the settings: `endPointURL` when given, else the regional one.
pub fn dynamodb(region: &str, endpoint_url: Option<&str>) -> Result<Endpoint, ConnectorError> {
    match endpoint_url {
        Some(url) => Endpoint::parse(url, crate::settings::keys::ENDPOINT_URL),
        None => Endpoint::regional("dynamodb", region),
    }
}

/// The STS endpoint for `assumeRoleArn`: `connectionOptions.stsEndpointURL` when given, else
/// the regional one.
pub fn sts(region: &str, endpoint_url: Option<&str>) -> Result<Endpoint, ConnectorError> {
    match endpoint_url {
        Some(url) => Endpoint::parse(url, "connectionOptions.stsEndpointURL"),
        None => Endpoint::regional("sts", region),
    }
}

/// The AWS console page of a table, as OpenMetadata links it.
/// The AWS console page of a table; the table name is percent-encoded (a listing can name
/// anything, control characters included).
pub fn console_url(region: &str, table: &str) -> String {
    format!(
        "https://{region}.console.aws.amazon.com/dynamodbv2/home?region={}#table?name={}",
        percent_encode(region),
        percent_encode(table)
    )
}

/// Percent-encoding of everything but RFC 3986's unreserved characters.
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_console_link_encodes_the_table_name() {
        assert_eq!(
            console_url("eu-west-1", "orders.v2"),
            "https://eu-west-1.console.aws.amazon.com/dynamodbv2/home?region=eu-west-1#table?name=orders.v2"
        );
        assert_eq!(
            console_url("us-east-1", "a b\n\u{1b}[2J#x&\u{202e}"),
            "https://us-east-1.console.aws.amazon.com/dynamodbv2/home?region=us-east-1#table?name=a%20b%0A%1B%5B2J%23x%26%E2%80%AE"
        );
    }

    #[test]
    fn regional_endpoints() {
        assert_eq!(
            dynamodb("us-east-1", None).unwrap().as_str(),
            "https://dynamodb.us-east-1.amazonaws.com/"
        );
        assert_eq!(
            dynamodb("cn-north-1", None).unwrap().as_str(),
            "https://dynamodb.cn-north-1.amazonaws.com.cn/"
        );
    }

    #[test]
    fn custom_endpoints_keep_scheme_and_port() {
        let e = dynamodb("us-east-1", Some("http://127.0.0.1:8000")).unwrap();
        assert_eq!(e.as_str(), "http://127.0.0.1:8000/");
        assert_eq!(e.host(), "127.0.0.1");
    }

    #[test]
    fn bad_endpoints_are_config_errors() {
        for url in [
            "localhost:8000",
            "ftp://host",
            "http://user:pw@host",
            "http://host/path",
            "http://host/?q=1",
            "not a url",
        ] {
            let err = dynamodb("us-east-1", Some(url)).unwrap_err();
            assert!(
                matches!(&err, ConnectorError::InvalidConfig { key, .. } if key == "awsConfig.endPointURL"),
                "{url}: {err:?}"
            );
        }
    }

    #[test]
    fn console_url_matches_openmetadata() {
        assert_eq!(
            console_url("eu-west-1", "orders"),
            "https://eu-west-1.console.aws.amazon.com/dynamodbv2/home?region=eu-west-1#table?name=orders"
        );
    }
}
