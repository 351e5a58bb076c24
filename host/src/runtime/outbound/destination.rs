//! Where a run may send requests: exact destinations (scheme, host, port of the request's
//! authority), and which IP addresses a destination may resolve to.

use http::uri::{Scheme, Uri};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A destination a run may reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub https: bool,
    pub host: String,
    pub port: u16,
}

impl Destination {
    pub fn from_url(url: &str) -> Result<Destination, String> {
        let uri: Uri = url
            .trim()
            .parse()
            .map_err(|e| format!("`{url}` is not a URL: {e}"))?;
        Destination::from_uri(&uri)
            .ok_or_else(|| format!("`{url}` needs http:// or https:// and a host"))
    }

    pub fn from_uri(uri: &Uri) -> Option<Destination> {
        let https = match uri.scheme() {
            Some(s) if *s == Scheme::HTTPS => true,
            Some(s) if *s == Scheme::HTTP => false,
            _ => return None,
        };
        let host = uri
            .host()?
            .trim_matches(|c| c == '[' || c == ']')
            .to_ascii_lowercase();
        if host.is_empty() {
            return None;
        }
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        Some(Destination { https, host, port })
    }

    /// The host as an IP address, when it is written as one.
    pub fn ip_literal(&self) -> Option<IpAddr> {
        self.host.parse().ok()
    }
}

impl fmt::Display for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.https { "https" } else { "http" };
        if self.host.contains(':') {
            write!(f, "{scheme}://[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{scheme}://{}:{}", self.host, self.port)
        }
    }
}

/// Destinations a component may declare for one run.
pub const MAX_DECLARED_DESTINATIONS: usize = 16;
const MAX_HOST_CHARS: usize = 253;
const MAX_PURPOSE_CHARS: usize = 200;

/// A destination a component declared (the contract's `destinations`), checked, with what it
/// is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    pub destination: Destination,
    pub purpose: String,
}

impl Declared {
    /// The component's list, or why it is refused: too many, one that is not a plain http(s)
    /// destination, or an address (an IP, `localhost`) that the workflow does not name itself
    /// (`named`: the destinations its configuration's URLs give). An address is reached as
    /// written, internal or not, only because the workflow named it; what a component computes
    /// must be a name, and a name reaches only public addresses.
    pub fn check_all(
        list: Vec<crate::runtime::bindings::types::Destination>,
        named: &[Destination],
    ) -> Result<Vec<Declared>, String> {
        if list.len() > MAX_DECLARED_DESTINATIONS {
            return Err(format!(
                "the component declares {} destinations; at most {MAX_DECLARED_DESTINATIONS} are allowed",
                list.len()
            ));
        }
        let mut out: Vec<Declared> = Vec::with_capacity(list.len());
        for d in list {
            let shown =
                || crate::sanitize::name(&d.host.chars().take(64).collect::<String>()).to_string();
            let https = match d.scheme.as_str() {
                "https" => true,
                "http" => false,
                _ => {
                    return Err(format!(
                        "the component declares a destination `{}` with scheme `{}`; only http and https are allowed",
                        shown(),
                        crate::sanitize::name(&d.scheme.chars().take(16).collect::<String>())
                    ));
                }
            };
            let host = d.host.to_ascii_lowercase();
            let plain_name = !host.is_empty()
                && host.len() <= MAX_HOST_CHARS
                && host.split('.').all(|label| {
                    !label.is_empty()
                        && label.len() <= 63
                        && label
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                });
            if !plain_name && host.parse::<IpAddr>().is_err() {
                return Err(format!(
                    "the component declares a destination host `{}` that is neither a host name nor an IP address",
                    shown()
                ));
            }
            if d.port == 0 {
                return Err(format!(
                    "the component declares the destination `{}` with port 0",
                    shown()
                ));
            }
            let declared = Declared {
                destination: Destination {
                    https,
                    host,
                    port: d.port,
                },
                purpose: crate::sanitize::message(
                    &d.purpose
                        .chars()
                        .take(MAX_PURPOSE_CHARS)
                        .collect::<String>(),
                )
                .to_string(),
            };
            let is_address = declared.destination.ip_literal().is_some()
                || declared.destination.host == "localhost"
                || declared.destination.host.ends_with(".localhost");
            if is_address && !named.contains(&declared.destination) {
                return Err(format!(
                    "the component declares the destination {}, an address no URL of the workflow names",
                    declared.destination
                ));
            }
            if !out.iter().any(|o| o.destination == declared.destination) {
                out.push(declared);
            }
        }
        Ok(out)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Allowlist {
    destinations: Vec<Destination>,
    /// Let host names resolve to internal addresses (e.g. VPC endpoints). Off by default.
    allow_internal_names: bool,
}

impl Allowlist {
    pub fn new(destinations: Vec<Destination>) -> Self {
        Allowlist {
            destinations,
            allow_internal_names: false,
        }
    }

    pub fn allowing_internal_names(mut self, allow: bool) -> Self {
        self.allow_internal_names = allow;
        self
    }

    pub fn destinations(&self) -> &[Destination] {
        &self.destinations
    }

    pub fn allows(&self, destination: &Destination) -> bool {
        self.destinations.contains(destination)
    }

    /// Whether `destination` (already allowed) may be reached at `address`. A destination
    /// written as an IP is reached only at that IP, internal or not: the workflow named it. A
    /// name may resolve only to public addresses, except `localhost` (loopback) and when
    /// internal names are allowed; link-local addresses (cloud metadata) never pass by name.
    pub fn may_connect(&self, destination: &Destination, address: IpAddr) -> Result<(), String> {
        if let Some(literal) = destination.ip_literal() {
            return if canonical(literal) == canonical(address) {
                Ok(())
            } else {
                Err(format!("{address} is not {literal}"))
            };
        }
        let address = canonical(address);
        match classify(address) {
            Class::Public => Ok(()),
            Class::Loopback if destination.host == "localhost" => Ok(()),
            Class::Private | Class::Loopback if self.allow_internal_names => Ok(()),
            class => Err(format!(
                "{} resolves to {address}, a {} address",
                destination.host,
                class.describe()
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Public,
    Loopback,
    /// RFC 1918, unique-local, carrier-grade NAT.
    Private,
    /// 169.254.0.0/16 and fe80::/10, where cloud metadata services live.
    LinkLocal,
    /// Unspecified, broadcast, multicast, documentation, reserved.
    Reserved,
}

impl Class {
    fn describe(self) -> &'static str {
        match self {
            Class::Public => "public",
            Class::Loopback => "loopback",
            Class::Private => "private",
            Class::LinkLocal => "link-local (cloud metadata)",
            Class::Reserved => "reserved",
        }
    }
}

/// IPv4-mapped and NAT64-embedded IPv6 addresses as the IPv4 address they stand for.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
                    let [a, b] = s[6].to_be_bytes();
                    let [c, d] = s[7].to_be_bytes();
                    IpAddr::V4(Ipv4Addr::new(a, b, c, d))
                } else {
                    address
                }
            }
        },
        v4 => v4,
    }
}

pub fn classify(address: IpAddr) -> Class {
    match canonical(address) {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(a: Ipv4Addr) -> Class {
    let [o1, o2, o3, _] = a.octets();
    if a.is_loopback() {
        Class::Loopback
    } else if a.is_link_local() {
        Class::LinkLocal
    } else if a.is_private() || (o1 == 100 && (64..128).contains(&o2)) {
        Class::Private
    } else if a.is_unspecified()
        || a.is_broadcast()
        || a.is_multicast()
        || a.is_documentation()
        || o1 == 0
        || o1 >= 240
        || (o1 == 198 && (o2 == 18 || o2 == 19))
        || (o1 == 192 && o2 == 0 && o3 == 0)
    {
        Class::Reserved
    } else {
        Class::Public
    }
}

fn classify_v6(a: Ipv6Addr) -> Class {
    let first = a.segments()[0];
    if a.is_loopback() {
        Class::Loopback
    } else if first & 0xffc0 == 0xfe80 {
        Class::LinkLocal
    } else if first & 0xfe00 == 0xfc00 {
        Class::Private
    } else if a.is_unspecified() || a.is_multicast() || first == 0x2001 && a.segments()[1] == 0xdb8
    {
        Class::Reserved
    } else {
        Class::Public
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(url: &str) -> Destination {
        Destination::from_url(url).unwrap()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn destinations_normalise_scheme_host_and_port() {
        assert_eq!(
            d("http://LocalHost:8000"),
            Destination {
                https: false,
                host: "localhost".into(),
                port: 8000
            }
        );
        let aws = d("https://dynamodb.us-east-1.amazonaws.com");
        assert_eq!(aws.port, 443);
        assert_eq!(
            aws.to_string(),
            "https://dynamodb.us-east-1.amazonaws.com:443"
        );
        assert_eq!(d("http://[::1]:8000").host, "::1");
        assert!(Destination::from_url("ftp://x").is_err());
    }

    #[test]
    fn allowlist_matches_scheme_host_and_port_exactly() {
        let list = Allowlist::new(vec![d("http://127.0.0.1:8000")]);
        assert!(list.allows(&d("http://127.0.0.1:8000/")));
        assert!(!list.allows(&d("http://127.0.0.1:8001/")));
        assert!(!list.allows(&d("https://127.0.0.1:8000/")));
        assert!(!list.allows(&d("http://169.254.169.254/")));
    }

    #[test]
    fn an_ip_endpoint_is_reached_only_at_that_ip() {
        let list = Allowlist::new(vec![d("http://127.0.0.1:8000")]);
        let dest = d("http://127.0.0.1:8000");
        assert!(list.may_connect(&dest, ip("127.0.0.1")).is_ok());
        assert!(list.may_connect(&dest, ip("::ffff:127.0.0.1")).is_ok());
        assert!(list.may_connect(&dest, ip("127.0.0.2")).is_err());
    }

    #[test]
    fn names_must_resolve_to_public_addresses() {
        let list = Allowlist::new(vec![]);
        let aws = d("https://dynamodb.us-east-1.amazonaws.com");
        assert!(list.may_connect(&aws, ip("52.94.0.10")).is_ok());
        for internal in [
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "100.64.0.1",
            "127.0.0.1",
            "169.254.169.254",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
        ] {
            let err = list.may_connect(&aws, ip(internal)).unwrap_err();
            assert!(err.contains("resolves to"), "{internal}: {err}");
        }
    }

    #[test]
    fn localhost_may_be_loopback_and_internal_names_can_be_allowed() {
        let list = Allowlist::new(vec![]);
        assert!(
            list.may_connect(&d("http://localhost:8000"), ip("127.0.0.1"))
                .is_ok()
        );
        assert!(
            list.may_connect(&d("http://localhost:8000"), ip("10.0.0.1"))
                .is_err()
        );
        let vpc = d("https://vpce-1.dynamodb.us-east-1.vpce.amazonaws.com");
        let open = Allowlist::new(vec![]).allowing_internal_names(true);
        assert!(open.may_connect(&vpc, ip("10.1.2.3")).is_ok());
        assert!(open.may_connect(&vpc, ip("169.254.169.254")).is_err());
    }
}

#[cfg(test)]
mod declared {
    use super::*;
    use crate::runtime::bindings::types::Destination as Wit;

    fn wit(scheme: &str, host: &str, port: u16) -> Wit {
        Wit {
            scheme: scheme.into(),
            host: host.into(),
            port,
            purpose: "p\u{1b}[2J".into(),
        }
    }

    #[test]
    fn an_address_passes_only_when_the_workflow_names_it() {
        let named = [Destination::from_url("http://127.0.0.1:8000").unwrap()];
        let ok = Declared::check_all(
            vec![
                wit("http", "127.0.0.1", 8000),
                wit("https", "dynamodb.eu-west-1.amazonaws.com", 443),
            ],
            &named,
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        assert!(!ok[0].purpose.contains('\u{1b}'), "{}", ok[0].purpose);
        for (host, port) in [
            ("169.254.169.254", 80),
            ("127.0.0.1", 8001),
            ("::ffff:a9fe:a9fe", 80),
            ("localhost", 8000),
            ("metadata.localhost", 80),
        ] {
            let error = Declared::check_all(vec![wit("http", host, port)], &named).unwrap_err();
            assert!(
                error.contains("no URL of the workflow names"),
                "{host}: {error}"
            );
        }
    }

    #[test]
    fn too_many_or_not_plain_is_refused() {
        let many = (0..=MAX_DECLARED_DESTINATIONS)
            .map(|i| wit("https", &format!("d{i}.example.com"), 443))
            .collect();
        assert!(
            Declared::check_all(many, &[])
                .unwrap_err()
                .contains("at most 16")
        );
        for bad in [
            wit("ftp", "files.example.com", 21),
            wit("https", "evil\n\u{1b}[31mhost", 443),
            wit("https", "zero.example.com", 0),
            wit("https", "", 443),
            wit("https", &"a.".repeat(150), 443),
        ] {
            let error = Declared::check_all(vec![bad], &[]).unwrap_err();
            assert!(
                !error.contains('\u{1b}') && !error.contains('\n'),
                "{error}"
            );
        }
    }
}
