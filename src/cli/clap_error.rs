//! clap's refusals in the user's language. English keeps clap's own
//! rendering (colours, tips); Russian is rendered here from the error's
//! context with the table's words, in the same shape: the refusal on the
//! first line, tips, the usage line, where to read more.

use clap::error::{ContextKind, ContextValue, ErrorKind};

use udp_lab::lab::i18n::cli::C;
use udp_lab::lab::i18n::{Lang, fill};

/// Prints help, version or the refusal and exits with clap's code.
pub fn exit(e: clap::Error, lang: Lang) -> ! {
    let shown_by_clap = matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    );
    if shown_by_clap || lang == Lang::En {
        e.exit()
    }
    // Nowhere to say it when stderr is closed; the exit code says it.
    let _ = super::warn(format_args!("{}", render(&e, lang).trim_end()));
    std::process::exit(e.exit_code())
}

fn text(e: &clap::Error, kind: ContextKind) -> Option<String> {
    match e.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => Some(v.join(", ")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The refusal as clap would lay it out, in `lang`.
pub fn render(e: &clap::Error, lang: Lang) -> String {
    let t = |k: C| k.get(lang);
    let arg = text(e, ContextKind::InvalidArg).unwrap_or_default();
    let value = text(e, ContextKind::InvalidValue).unwrap_or_default();
    let with = |k: C| fill(t(k), &[("arg", &arg), ("value", &value)]);
    let mut out = format!("{} ", t(C::ErrorHeading));
    let first = match e.kind() {
        ErrorKind::InvalidValue if value.is_empty() => with(C::ClapValueRequired),
        ErrorKind::InvalidValue => {
            let mut line = with(C::ClapInvalidValue);
            if let Some(values) = text(e, ContextKind::ValidValue) {
                line.push_str("\n  ");
                line.push_str(&fill(t(C::PossibleValues), &[("values", &values)]));
            }
            line
        }
        ErrorKind::ValueValidation => {
            let mut line = with(C::ClapInvalidValue);
            if let Some(why) = std::error::Error::source(e) {
                line.push_str(&format!(": {why}"));
            }
            line
        }
        ErrorKind::UnknownArgument => with(C::ClapUnknownArgument),
        ErrorKind::InvalidSubcommand => fill(
            t(C::ClapUnknownSubcommand),
            &[(
                "arg",
                &text(e, ContextKind::InvalidSubcommand).unwrap_or_default(),
            )],
        ),
        ErrorKind::ArgumentConflict => match e.get(ContextKind::PriorArg) {
            Some(ContextValue::String(prior)) if *prior == arg => with(C::ClapRepeated),
            Some(ContextValue::String(_) | ContextValue::Strings(_)) => fill(
                t(C::ClapConflict),
                &[
                    ("arg", &arg),
                    ("other", &text(e, ContextKind::PriorArg).unwrap_or_default()),
                ],
            ),
            _ => with(C::ClapConflictMany),
        },
        ErrorKind::MissingRequiredArgument => {
            let mut line = t(C::ClapMissing).to_owned();
            if let Some(ContextValue::Strings(missing)) = e.get(ContextKind::InvalidArg) {
                for m in missing {
                    line.push_str(&format!("\n  {m}"));
                }
            }
            line
        }
        ErrorKind::MissingSubcommand => fill(
            t(C::ClapMissingSubcommand),
            &[(
                "arg",
                &text(e, ContextKind::InvalidSubcommand).unwrap_or_default(),
            )],
        ),
        ErrorKind::TooManyValues => with(C::ClapTooManyValues),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => with(C::ClapWrongValues),
        ErrorKind::NoEquals => with(C::ClapNoEquals),
        ErrorKind::InvalidUtf8 => t(C::ClapInvalidUtf8).to_owned(),
        _ => t(C::ClapOther).to_owned(),
    };
    out.push_str(&first);
    out.push_str(&tips(e, lang));
    if let Some(usage) = text(e, ContextKind::Usage) {
        let usage = usage.trim();
        let usage = usage.strip_prefix("Usage:").unwrap_or(usage).trim();
        out.push_str(&format!("\n\n{} {usage}", t(C::UsageHeading)));
    }
    out.push_str("\n\n");
    out.push_str(&fill(t(C::ClapTryHelp), &[("help", &"--help")]));
    out
}

/// "a similar argument exists", "to pass '-1' as a value, use '-- -1'".
fn tips(e: &clap::Error, lang: Lang) -> String {
    let t = |k: C| k.get(lang);
    let mut lines = Vec::new();
    for (kind, what) in [
        (ContextKind::SuggestedSubcommand, C::ClapSimilarSubcommand),
        (ContextKind::SuggestedArg, C::ClapSimilarArgument),
        (ContextKind::SuggestedValue, C::ClapSimilarValue),
    ] {
        if let Some(name) = text(e, kind) {
            lines.push(fill(
                t(C::ClapSimilar),
                &[("what", &t(what)), ("name", &name)],
            ));
        }
    }
    if let Some(ContextValue::StyledStrs(tips)) = e.get(ContextKind::Suggested) {
        for tip in tips {
            let tip = tip.to_string();
            // clap words this one itself; the value is between its quotes.
            let as_value = tip
                .strip_prefix("to pass '")
                .and_then(|rest| rest.split_once('\''))
                .map(|(value, _)| value.to_owned());
            lines.push(match as_value {
                Some(value) => format!(
                    "{} {}",
                    t(C::ClapTip),
                    fill(t(C::ClapPassAsValue), &[("value", &value)])
                ),
                None => format!("{} {tip}", t(C::ClapTip)),
            });
        }
    }
    if lines.is_empty() {
        String::new()
    } else {
        format!("\n\n  {}", lines.join("\n  "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The English column is clap's own wording: rendered here in English,
    /// a refusal's first line is clap's.
    #[test]
    fn english_renders_as_clap_does() {
        for args in [
            vec!["udp-lab", "client", "--nope"],
            vec!["udp-lab", "server", "--echo", "--no-reply"],
            vec!["udp-lab", "client", "--count", "0"],
            vec!["udp-lab", "--view", "nope"],
            // Issue 26: one word that is no subcommand is a file to open.
            vec!["udp-lab", "a.pcapng", "b.pcapng"],
        ] {
            let e = super::super::localize::command(Lang::En)
                .try_get_matches_from(&args)
                .expect_err("refused");
            let ours = render(&e, Lang::En);
            let clap = e.render().to_string();
            assert_eq!(
                ours.lines().next(),
                clap.lines().next(),
                "{args:?}:\n{clap}"
            );
            assert!(ours.ends_with("For more information, try '--help'."));
        }
    }
}
