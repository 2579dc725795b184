//! The web server's and client's sentences (issue 28), picked from the
//! window's table by what the net layer reports.

use super::{Lang, T, fill, secs};
use crate::net::http::{HttpClientError, Limits, Refusal, resolve::MAX_FILE};

/// Why a path was refused, as a teaching sentence.
pub fn refusal(lang: Lang, why: Refusal) -> String {
    let key = match why {
        Refusal::DotDot => T::HttpRefusedDotDot,
        Refusal::Absolute => T::HttpRefusedAbsolute,
        Refusal::Backslash => T::HttpRefusedBackslash,
        Refusal::Nul => T::HttpRefusedNul,
        Refusal::EncodedSlash => T::HttpRefusedEncodedSlash,
        Refusal::DoubleEncoded => T::HttpRefusedDoubleEncoded,
        Refusal::BadEncoding => T::HttpRefusedBadEncoding,
        Refusal::SymlinkOut => T::HttpRefusedSymlink,
        Refusal::TooLarge => T::HttpRefusedTooLarge,
    };
    fill(key.get(lang), &[("max", &(MAX_FILE / (1024 * 1024)))])
}

/// What an answer other than 200 means, in a sentence; None for 200.
pub fn status(
    lang: Lang,
    status: u16,
    refused: Option<Refusal>,
    limits: &Limits,
) -> Option<String> {
    if let Some(why) = refused {
        return Some(refusal(lang, why));
    }
    let key = match status {
        400 => T::HttpStatus400,
        404 => T::HttpStatus404,
        405 => T::HttpStatus405,
        408 => T::HttpStatus408,
        431 => T::HttpStatus431,
        503 => T::HttpStatus503,
        505 => T::HttpStatus505,
        _ => return None,
    };
    let max: &dyn std::fmt::Display = match status {
        431 => &limits.max_head,
        _ => &limits.max_connections,
    };
    Some(fill(
        key.get(lang),
        &[("secs", &secs(lang, limits.deadline)), ("max", max)],
    ))
}

/// The client's errors in plain words.
pub fn client_error(lang: Lang, e: &HttpClientError) -> String {
    let t = |k: T| k.get(lang);
    match e {
        HttpClientError::BadUrl { url } => fill(t(T::HttpErrBadUrl), &[("url", url)]),
        HttpClientError::Https { url } => fill(t(T::HttpErrHttps), &[("url", url)]),
        HttpClientError::BadHeader { header } => {
            fill(t(T::HttpErrBadHeader), &[("header", header)])
        }
        HttpClientError::Resolve { host } => fill(t(T::HttpErrResolve), &[("host", host)]),
        HttpClientError::Refused { addr } => fill(t(T::HttpErrRefused), &[("addr", addr)]),
        HttpClientError::ConnectTimeout { addr, after } => fill(
            t(T::HttpErrConnectTimeout),
            &[("addr", addr), ("secs", &secs(lang, *after))],
        ),
        HttpClientError::Timeout { after, got } => fill(
            t(T::HttpErrTimeout),
            &[("secs", &secs(lang, *after)), ("got", got)],
        ),
        HttpClientError::Reset { addr } => fill(t(T::HttpErrReset), &[("addr", addr)]),
        HttpClientError::TooLarge { limit } => fill(t(T::HttpErrTooLarge), &[("limit", limit)]),
        HttpClientError::Io { call, message } => {
            fill(t(T::HttpErrIo), &[("call", call), ("message", message)])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_teaches_in_both_languages() {
        let all = [
            Refusal::DotDot,
            Refusal::Absolute,
            Refusal::Backslash,
            Refusal::Nul,
            Refusal::EncodedSlash,
            Refusal::DoubleEncoded,
            Refusal::BadEncoding,
            Refusal::SymlinkOut,
            Refusal::TooLarge,
        ];
        for why in all {
            let (en, ru) = (refusal(Lang::En, why), refusal(Lang::Ru, why));
            assert!(
                en.starts_with("Refused (403)") && ru.starts_with("Отказано (403)"),
                "{why:?}"
            );
            assert!(!en.contains('{') && !ru.contains('{'), "{why:?}");
        }
        let limits = Limits::default();
        let late = status(Lang::Ru, 408, None, &limits).unwrap_or_default();
        assert!(late.contains("10 с"), "{late}");
        assert_eq!(status(Lang::En, 200, None, &limits), None);
    }
}
