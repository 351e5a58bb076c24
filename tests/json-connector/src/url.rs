//! The document's URL: `http(s)://host[:port][/path][?query]`, parsed strictly enough that the
//! destination it declares is the one the GET reaches. No user name or password, no
//! whitespace or control characters, an ASCII host (an IDN goes in its `xn--` form).

use crate::bindings::exports::catalog::connector::types::Destination;

/// Longest host name DNS allows.
const MAX_HOST: usize = 253;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentUrl {
    pub https: bool,
    /// Lower case; an IPv6 address without its brackets.
    pub host: String,
    pub port: u16,
    /// Whether the URL wrote the port (else it is the scheme's).
    pub explicit_port: bool,
    /// From the first `/` on (`/` when the URL has no path), the fragment left out.
    pub path_and_query: String,
}

impl DocumentUrl {
    pub fn parse(text: &str) -> Result<DocumentUrl, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("is empty".to_string());
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("holds whitespace or a control character".to_string());
        }
        let (scheme, rest) = text
            .split_once("://")
            .ok_or("is not an http:// or https:// URL")?;
        let https = match scheme.to_ascii_lowercase().as_str() {
            "http" => false,
            "https" => true,
            _ => return Err("is not an http:// or https:// URL".to_string()),
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        if authority.contains('@') {
            return Err("must not hold a user name or password".to_string());
        }
        let (host, port) = split_authority(authority)?;
        let default_port = if https { 443 } else { 80 };
        let (port, explicit_port) = match port {
            None | Some("") => (default_port, false),
            Some(digits) => (parse_port(digits)?, true),
        };
        let tail = tail.split('#').next().unwrap_or_default();
        let path_and_query = if tail.starts_with('/') {
            tail.to_string()
        } else {
            format!("/{tail}")
        };
        Ok(DocumentUrl {
            https,
            host,
            port,
            explicit_port,
            path_and_query,
        })
    }

    pub fn scheme(&self) -> &'static str {
        if self.https { "https" } else { "http" }
    }

    /// `host[:port]` as a request names it: an IPv6 address in brackets, the port when the URL
    /// wrote one.
    pub fn authority(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        if self.explicit_port {
            format!("{host}:{}", self.port)
        } else {
            host
        }
    }

    /// The one destination the connector reaches.
    pub fn destination(&self) -> Destination {
        Destination {
            scheme: self.scheme().to_string(),
            host: self.host.clone(),
            port: self.port,
            purpose: "the JSON document".to_string(),
        }
    }
}

/// The host (lower case, brackets off) and the port's text, if any.
fn split_authority(authority: &str) -> Result<(String, Option<&str>), String> {
    if let Some(bracketed) = authority.strip_prefix('[') {
        let (address, after) = bracketed
            .split_once(']')
            .ok_or("has an IPv6 address without its closing `]`")?;
        let port = match after {
            "" => None,
            _ => Some(
                after
                    .strip_prefix(':')
                    .ok_or("has something other than a port after its IPv6 address")?,
            ),
        };
        let ipv6 = address.contains(':')
            && address
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
        if !ipv6 {
            return Err("has an IPv6 address that is not one".to_string());
        }
        return Ok((address.to_ascii_lowercase(), port));
    }
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    if host.is_empty() {
        return Err("has no host".to_string());
    }
    if host.len() > MAX_HOST {
        return Err(format!("has a host longer than {MAX_HOST} characters"));
    }
    let valid = host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_');
    if !valid || host.split('.').any(|label| label.len() > 63) {
        return Err("has a host that is not a host name or an IP address".to_string());
    }
    Ok((host.to_ascii_lowercase(), port))
}

fn parse_port(digits: &str) -> Result<u16, String> {
    let port: u16 = digits
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| digits.parse().ok())
        .flatten()
        .ok_or_else(|| "has a port that is not a number from 1 to 65535".to_string())?;
    if port == 0 {
        return Err("has a port that is not a number from 1 to 65535".to_string());
    }
    Ok(port)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn destination(url: &str) -> (String, String, u16) {
        let d = DocumentUrl::parse(url).unwrap().destination();
        (d.scheme, d.host, d.port)
    }

    #[test]
    fn the_destination_is_scheme_host_and_port() {
        assert_eq!(
            destination("http://127.0.0.1:8080/catalog.json"),
            ("http".into(), "127.0.0.1".into(), 8080)
        );
        assert_eq!(
            destination("HTTPS://Docs.Example.COM/a/b.json?x=1#top"),
            ("https".into(), "docs.example.com".into(), 443)
        );
        assert_eq!(
            destination("http://example.com"),
            ("http".into(), "example.com".into(), 80)
        );
        assert_eq!(
            destination("http://[::1]:9000/c.json"),
            ("http".into(), "::1".into(), 9000)
        );
        assert_eq!(
            destination("https://[FE80::1]"),
            ("https".into(), "fe80::1".into(), 443)
        );
    }

    #[test]
    fn the_request_keeps_path_query_and_written_port() {
        let url = DocumentUrl::parse("https://Example.com/a/b.json?x=1#top").unwrap();
        assert_eq!(url.authority(), "example.com");
        assert_eq!(url.path_and_query, "/a/b.json?x=1");
        let url = DocumentUrl::parse("http://[::1]:9000?q").unwrap();
        assert_eq!(url.authority(), "[::1]:9000");
        assert_eq!(url.path_and_query, "/?q");
        let url = DocumentUrl::parse("http://h:/").unwrap();
        assert_eq!((url.port, url.authority().as_str()), (80, "h"));
    }

    #[test]
    fn malformed_urls_are_refused() {
        for url in [
            "",
            "example.com/catalog.json",
            "ftp://example.com/catalog.json",
            "http://",
            "http:///catalog.json",
            "http://user:secret@example.com/",
            "http://evil.com@127.0.0.1/",
            "http://example.com:0/",
            "http://example.com:65536/",
            "http://example.com:+80/",
            "http://example.com:http/",
            "http://exa mple.com/",
            "http://example.com/a\nb",
            "http://exa\u{1b}mple.com/",
            "http://[::1/",
            "http://[::1]x/",
            "http://[example.com]/",
            "http://::1/",
            "http://héte.example/",
            "http://a%2fb/",
        ] {
            assert!(DocumentUrl::parse(url).is_err(), "{url:?} was accepted");
        }
        let long = format!("http://{}.com/", "a.".repeat(130));
        assert!(DocumentUrl::parse(&long).is_err());
        let label = format!("http://{}.com/", "a".repeat(64));
        assert!(DocumentUrl::parse(&label).is_err());
    }
}
