//! Address parsing in plain words. Syntax is checked at once (on the UI
//! thread, it never blocks); host names are resolved later, on a worker,
//! because DNS can take seconds.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};

use super::NetError;

/// Longer than any host name DNS allows (253) plus a port.
const MAX_INPUT: usize = 270;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Host {
    Ip(IpAddr),
    Name(String),
}

/// An address that is well-formed but maybe not yet resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedAddr {
    pub host: Host,
    pub port: u16,
}

impl fmt::Display for ParsedAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.host {
            Host::Ip(IpAddr::V6(ip)) => write!(f, "[{ip}]:{}", self.port),
            Host::Ip(ip) => write!(f, "{ip}:{}", self.port),
            Host::Name(name) => write!(f, "{name}:{}", self.port),
        }
    }
}

/// Why an address does not parse. Each variant is one thing the user can fix.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AddrError {
    Empty,
    TooLong,
    /// "127.0.0.1" or "localhost": no ":port".
    MissingPort,
    /// "12345" or ":12345": no host.
    MissingHost,
    /// "127.0.0.1:abc", "127.0.0.1:-1".
    PortNotNumber(String),
    /// "127.0.0.1:99999".
    PortOutOfRange(String),
    /// Port 0 means "any free port": fine to bind, not to send to.
    PortZeroTarget,
    /// "999.0.0.1": looks like IPv4 but is not.
    BadIpv4(String),
    /// "[::1" or "[zz]:1".
    BadIpv6(String),
    /// "::1:12345": IPv6 needs brackets around the address.
    Ipv6NeedsBrackets,
    /// Spaces, non-ASCII letters or other characters a host name cannot hold.
    BadHostName(String),
}

impl fmt::Display for AddrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddrError::Empty => write!(f, "Enter an address such as 127.0.0.1:12345"),
            AddrError::TooLong => write!(f, "The address is too long"),
            AddrError::MissingPort => {
                write!(f, "Add a port after a colon, for example 127.0.0.1:12345")
            }
            AddrError::MissingHost => {
                write!(f, "Add a host before the port, for example 127.0.0.1:12345")
            }
            AddrError::PortNotNumber(p) => write!(f, "\"{p}\" is not a port number (0–65535)"),
            AddrError::PortOutOfRange(p) => {
                write!(f, "Port {p} is out of range: ports go from 0 to 65535")
            }
            AddrError::PortZeroTarget => {
                write!(
                    f,
                    "Port 0 means \"any free port\": choose the port to send to"
                )
            }
            AddrError::BadIpv4(h) => write!(f, "{h} is not an IPv4 address (each part is 0–255)"),
            AddrError::BadIpv6(h) => write!(f, "{h} is not an IPv6 address"),
            AddrError::Ipv6NeedsBrackets => {
                write!(
                    f,
                    "Put an IPv6 address in brackets, for example [::1]:12345"
                )
            }
            AddrError::BadHostName(h) => write!(f, "\"{h}\" is not a valid host name"),
        }
    }
}

impl std::error::Error for AddrError {}

/// Checks an address as "host:port", "[ipv6]:port" or "name:port".
/// `for_target` forbids port 0, which only makes sense for bind.
pub fn parse_addr(input: &str, for_target: bool) -> Result<ParsedAddr, AddrError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(AddrError::Empty);
    }
    if s.len() > MAX_INPUT {
        return Err(AddrError::TooLong);
    }
    let (host_part, port_part) = if let Some(rest) = s.strip_prefix('[') {
        let Some(close) = rest.find(']') else {
            return Err(AddrError::BadIpv6(s.to_owned()));
        };
        let inside = &rest[..close];
        let after = &rest[close + 1..];
        if inside.parse::<Ipv6Addr>().is_err() {
            return Err(AddrError::BadIpv6(inside.to_owned()));
        }
        match after.strip_prefix(':') {
            Some(port) => (inside, port),
            None if after.is_empty() => return Err(AddrError::MissingPort),
            None => return Err(AddrError::BadIpv6(s.to_owned())),
        }
    } else if s.matches(':').count() > 1 {
        return Err(
            if s.parse::<Ipv6Addr>().is_ok() || looks_like_ipv6_with_port(s) {
                AddrError::Ipv6NeedsBrackets
            } else {
                AddrError::BadHostName(s.to_owned())
            },
        );
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) => (h, p),
            None if s.chars().all(|c| c.is_ascii_digit()) => return Err(AddrError::MissingHost),
            None => {
                // Still say what is wrong with the host, if anything.
                parse_host(s)?;
                return Err(AddrError::MissingPort);
            }
        }
    };
    if host_part.trim().is_empty() {
        return Err(AddrError::MissingHost);
    }
    let port = parse_port(port_part)?;
    if for_target && port == 0 {
        return Err(AddrError::PortZeroTarget);
    }
    let host = if s.starts_with('[') {
        // Checked above.
        Host::Ip(IpAddr::V6(
            host_part
                .parse()
                .map_err(|_| AddrError::BadIpv6(host_part.into()))?,
        ))
    } else {
        parse_host(host_part)?
    };
    Ok(ParsedAddr { host, port })
}

fn looks_like_ipv6_with_port(s: &str) -> bool {
    s.rsplit_once(':')
        .is_some_and(|(h, _)| h.parse::<Ipv6Addr>().is_ok())
}

fn parse_port(p: &str) -> Result<u16, AddrError> {
    let p = p.trim();
    if p.is_empty() {
        return Err(AddrError::MissingPort);
    }
    if !p.chars().all(|c| c.is_ascii_digit()) {
        return Err(AddrError::PortNotNumber(p.to_owned()));
    }
    // All digits: only the range can be wrong (also for very long numbers).
    p.parse::<u16>()
        .map_err(|_| AddrError::PortOutOfRange(p.to_owned()))
}

fn parse_host(h: &str) -> Result<Host, AddrError> {
    if let Ok(ip) = h.parse::<Ipv4Addr>() {
        return Ok(Host::Ip(IpAddr::V4(ip)));
    }
    if h.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(AddrError::BadIpv4(h.to_owned()));
    }
    // RFC 1123 host names: letters, digits and hyphens in dot-separated labels.
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    let name = h.strip_suffix('.').unwrap_or(h);
    if name.len() > 253 || !name.split('.').all(label_ok) {
        return Err(AddrError::BadHostName(h.to_owned()));
    }
    Ok(Host::Name(name.to_ascii_lowercase()))
}

/// Turns a parsed address into a socket address. Names go to the system
/// resolver (this can block: call it on a worker). IPv4 is preferred, as in
/// the lab, so "localhost" means 127.0.0.1.
pub fn resolve(addr: &ParsedAddr) -> Result<SocketAddr, NetError> {
    match &addr.host {
        Host::Ip(ip) => Ok(SocketAddr::new(*ip, addr.port)),
        Host::Name(name) => {
            let found: Vec<SocketAddr> = (name.as_str(), addr.port)
                .to_socket_addrs()
                .map_err(|_| NetError::Resolve { host: name.clone() })?
                .collect();
            found
                .iter()
                .find(|a| a.is_ipv4())
                .or(found.first())
                .copied()
                .ok_or_else(|| NetError::Resolve { host: name.clone() })
        }
    }
}

/// As [`resolve`], and for a name that has addresses of both families
/// ("localhost": 127.0.0.1 and ::1), the first of the other family too: a
/// client tries it when nothing listens on the first.
pub fn resolve_with_alternate(
    addr: &ParsedAddr,
) -> Result<(SocketAddr, Option<SocketAddr>), NetError> {
    let Host::Name(name) = &addr.host else {
        return resolve(addr).map(|a| (a, None));
    };
    let found: Vec<SocketAddr> = (name.as_str(), addr.port)
        .to_socket_addrs()
        .map_err(|_| NetError::Resolve { host: name.clone() })?
        .collect();
    let first = found
        .iter()
        .find(|a| a.is_ipv4())
        .or(found.first())
        .copied()
        .ok_or_else(|| NetError::Resolve { host: name.clone() })?;
    let other = found
        .iter()
        .find(|a| a.is_ipv4() != first.is_ipv4())
        .copied();
    Ok((first, other))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> ParsedAddr {
        parse_addr(s, true).unwrap_or_else(|e| panic!("{s:?} should parse: {e}"))
    }

    #[test]
    fn lab_addresses_parse() {
        assert_eq!(ok("127.0.0.1:12345").to_string(), "127.0.0.1:12345");
        assert_eq!(ok(" [::1]:12345 ").to_string(), "[::1]:12345");
        assert_eq!(ok("localhost:12345").host, Host::Name("localhost".into()));
        assert_eq!(parse_addr("0.0.0.0:0", false).map(|a| a.port), Ok(0));
    }

    #[test]
    fn bad_addresses_say_what_is_wrong() {
        let cases: &[(&str, AddrError)] = &[
            ("", AddrError::Empty),
            ("   ", AddrError::Empty),
            ("12345", AddrError::MissingHost),
            (":12345", AddrError::MissingHost),
            ("127.0.0.1:", AddrError::MissingPort),
            ("127.0.0.1", AddrError::MissingPort),
            ("hello", AddrError::MissingPort),
            ("127.0.0.1:99999", AddrError::PortOutOfRange("99999".into())),
            ("127.0.0.1:65536", AddrError::PortOutOfRange("65536".into())),
            ("127.0.0.1:-1", AddrError::PortNotNumber("-1".into())),
            ("127.0.0.1:abc", AddrError::PortNotNumber("abc".into())),
            ("127.0.0.1:0", AddrError::PortZeroTarget),
            ("999.0.0.1:1", AddrError::BadIpv4("999.0.0.1".into())),
            ("::1:12345", AddrError::Ipv6NeedsBrackets),
            ("::1", AddrError::Ipv6NeedsBrackets),
            ("[::1", AddrError::BadIpv6("[::1".into())),
            ("[zz]:1", AddrError::BadIpv6("zz".into())),
            ("[::1]", AddrError::MissingPort),
            ("my host:1", AddrError::BadHostName("my host".into())),
            ("сервер:1", AddrError::BadHostName("сервер".into())),
        ];
        for (input, want) in cases {
            assert_eq!(
                parse_addr(input, true).as_ref(),
                Err(want),
                "input {input:?}"
            );
            assert!(!want.to_string().is_empty());
        }
        assert_eq!(parse_addr(&"a".repeat(1000), true), Err(AddrError::TooLong));
    }

    #[test]
    fn localhost_resolves_to_ipv4_first() {
        let a = resolve(&ok("localhost:12345")).expect("localhost resolves");
        assert_eq!(a, "127.0.0.1:12345".parse().expect("literal"));
    }
}
